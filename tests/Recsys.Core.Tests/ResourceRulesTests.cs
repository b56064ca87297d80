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
