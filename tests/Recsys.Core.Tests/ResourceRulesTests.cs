using Recsys.Core.Errors;
using Recsys.Core.Resources;

namespace Recsys.Core.Tests;

public sealed class ResourceStatusTests
{
    [Theory]
    [InlineData(ResourceStatus.CreatePending, ResourceStatus.CreateInProgress)]
    [InlineData(ResourceStatus.CreateInProgress, ResourceStatus.Active)]
    [InlineData(ResourceStatus.CreateInProgress, ResourceStatus.CreateFailed)]
    [InlineData(ResourceStatus.Active, ResourceStatus.DeletePending)]
    [InlineData(ResourceStatus.CreateFailed, ResourceStatus.DeletePending)]
    public void Allowed_transitions(string from, string to) => Assert.True(ResourceStatus.CanTransition(from, to));

    [Theory]
    [InlineData(ResourceStatus.Active, ResourceStatus.CreatePending)]
    [InlineData(ResourceStatus.CreateFailed, ResourceStatus.Active)]
    [InlineData(ResourceStatus.DeletePending, ResourceStatus.Active)]
    [InlineData(ResourceStatus.CreatePending, ResourceStatus.Active)]
    [InlineData("NOT A STATUS", ResourceStatus.Active)]
    public void Forbidden_transitions_throw_in_use(string from, string to)
    {
        Assert.False(ResourceStatus.CanTransition(from, to));
        var error = Assert.Throws<ResourceInUseException>(() => ResourceStatus.EnsureTransition("solution version", "v1", from, to));
        Assert.Contains(from, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Moving_state_records_the_reason_and_time()
    {
        var created = DateTimeOffset.Parse("2026-11-22T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var state = ResourceState.New(ResourceStatus.CreatePending, created)
            .MoveTo("import job", "j", ResourceStatus.CreateInProgress, created.AddMinutes(1))
            .MoveTo("import job", "j", ResourceStatus.CreateFailed, created.AddMinutes(2), "bad file");

        Assert.Equal(ResourceStatus.CreateFailed, state.Status);
        Assert.Equal("bad file", state.FailureReason);
        Assert.Equal(created, state.CreationDateTime);
        Assert.Equal(created.AddMinutes(2), state.LastUpdatedDateTime);
        Assert.True(ResourceStatus.IsTerminal(state.Status));
    }
}

public sealed class ResourceNameTests
{
    [Theory]
    [InlineData("movies")]
    [InlineData("Movies_2026-v1")]
    [InlineData("0")]
    public void Valid_names(string name) => Assert.Null(ResourceName.Problem(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-x")]
    [InlineData("_x")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("é")]
    public void Invalid_names_name_the_field(string? name)
    {
        var error = Assert.Throws<InvalidInputException>(() => ResourceName.Validate(name, "solutionName"));
        Assert.True(error.Errors.ContainsKey("solutionName"));
    }

    [Fact]
    public void Names_have_at_most_63_characters()
    {
        Assert.Null(ResourceName.Problem(new string('a', 63)));
        Assert.Contains("63", ResourceName.Problem(new string('a', 64)), StringComparison.Ordinal);
    }
}

public sealed class ResourceArnTests
{
    [Theory]
    [InlineData("movies", "movies")]
    [InlineData("arn:recsys:personalize:::dataset-group/movies", "movies")]
    [InlineData("arn:aws:personalize:us-west-2:123456789012:dataset-group/movies", "movies")]
    public void Names_and_arns_resolve_to_the_name(string identifier, string expected)
        => Assert.Equal(expected, ResourceArn.Resolve("dataset-group", identifier, "datasetGroupArn"));

    [Fact]
    public void Our_arns_round_trip()
        => Assert.Equal("shop", ResourceArn.Resolve("dataset-group", ResourceArn.For("dataset-group", "shop"), "x"));

    [Theory]
    [InlineData("arn:aws:personalize:us-west-2:123456789012:campaign/movies")]
    [InlineData("arn:recsys:personalize:::dataset-group/")]
    [InlineData("arn:broken")]
    [InlineData("")]
    public void Wrong_arns_are_invalid_input(string identifier)
    {
        var error = Assert.Throws<InvalidInputException>(() => ResourceArn.Resolve("dataset-group", identifier, "datasetGroupArn"));
        Assert.True(error.Errors.ContainsKey("datasetGroupArn"));
    }
}

/// <summary>Hostile identifiers are rejected by the one lookup validation, naming the field, before any store is asked.</summary>
public sealed class IdentifierValidationTests
{
    public static TheoryData<string> Hostile => new()
    {
        "a/b",
        "../x",
        "%2F",
        "a%2Fb",
        "line\nbreak",
        "tab\there",
        "nul\0",
        "a b",
        "ünïcode",
        "-leading-dash",
        new string('x', 10_000),
        "arn:recsys:personalize:::campaign/a/b",
        "arn:recsys:personalize:::campaign/../x",
        "arn:recsys:personalize:::campaign/" + new string('y', 64),
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_malformed_single_name_identifier_is_invalid_input_naming_the_field(string identifier)
    {
        var error = Assert.Throws<InvalidInputException>(() => ResourceArn.Resolve("campaign", identifier, "campaignArn"));
        Assert.Equal(["campaignArn"], error.Errors.Keys);
        Assert.DoesNotContain('\n', error.Message);
        Assert.True(error.Message.Length < 400, "the message quotes at most a short, printable part of the identifier");
    }

    [Theory]
    [InlineData("shop/v1", new[] { "shop", "v1" })]
    [InlineData("arn:recsys:personalize:::solution/shop/v1", new[] { "shop", "v1" })]
    [InlineData("arn:aws:personalize:us-east-1:123456789012:solution/shop/v1", new[] { "shop", "v1" })]
    public void A_two_part_path_resolves_to_its_names(string identifier, string[] expected)
        => Assert.Equal(expected, ResourceArn.ResolvePath("solution", identifier, "solutionVersionArn", 2));

    [Theory]
    [InlineData("shop")]
    [InlineData("shop/")]
    [InlineData("/v1")]
    [InlineData("shop/v1/extra")]
    [InlineData("shop/../v1")]
    [InlineData("shop//v1")]
    [InlineData("shop/v%31")]
    [InlineData("arn:recsys:personalize:::solution/shop")]
    public void A_malformed_path_is_invalid_input_naming_the_field(string identifier)
    {
        var error = Assert.Throws<InvalidInputException>(() => ResourceArn.ResolvePath("solution", identifier, "solutionVersionArn", 2));
        Assert.Equal(["solutionVersionArn"], error.Errors.Keys);
    }
}

/// <summary>List tokens check themselves.</summary>
public sealed class PageTokenTests
{
    [Fact]
    public void A_token_round_trips_for_its_scope()
    {
        var token = PageToken.Encode("table/scope", "1!8!c2NvcGU- 1!4!Yg--");
        Assert.Equal("1!8!c2NvcGU- 1!4!Yg--", PageToken.Decode("table/scope", token));
        Assert.Null(PageToken.Encode("table/scope", null));
        Assert.Null(PageToken.Decode("table/scope", null));
        Assert.Null(PageToken.Decode("table/scope", string.Empty));
    }

    [Fact]
    public void Garbage_long_edited_and_foreign_tokens_are_invalid_input_naming_next_token()
    {
        var token = PageToken.Encode("table/scope", "next")!;
        var edited = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        foreach (var bad in new[] { "garbage", "!!!", new string('A', 8_000), edited, PageToken.Encode("table/other", "next")!, "AQ" })
        {
            var error = Assert.Throws<InvalidInputException>(() => PageToken.Decode("table/scope", bad));
            Assert.Equal(["nextToken"], error.Errors.Keys);
        }
    }
}
