using Recsys.Core.Errors;
using Recsys.Core.Filters;
using Recsys.Core.Runtime;
using Recsys.Data.Schemas;

namespace Recsys.Core.Tests;

/// <summary>The runtime API's ids follow the events API's rule; unknown metadata columns are named.</summary>
public sealed class RuntimeRequestRulesTests
{
    public static TheoryData<string> HostileIds => new()
    {
        new string('u', 10_000),
        new string('u', 257),
        "line\nbreak",
        "nul\0",
        "del\u007f",
    };

    [Theory]
    [MemberData(nameof(HostileIds))]
    public void A_hostile_user_or_item_id_is_invalid_input_naming_the_field(string id)
    {
        var user = Assert.Throws<InvalidInputException>(() => RecommendationService.Validate(new RecommendationRequest { UserId = id }));
        Assert.Equal(["userId"], user.Errors.Keys);

        var item = Assert.Throws<InvalidInputException>(() => RecommendationService.Validate(new RecommendationRequest { UserId = "u1", ItemId = id }));
        Assert.Equal(["itemId"], item.Errors.Keys);

        var ranking = Assert.Throws<InvalidInputException>(() => RecommendationService.ValidateRanking("u1", ["i1", id]));
        Assert.Equal(["inputList[1]"], ranking.Errors.Keys);

        var rankingUser = Assert.Throws<InvalidInputException>(() => RecommendationService.ValidateRanking(id, ["i1"]));
        Assert.Equal(["userId"], rankingUser.Errors.Keys);
    }

    [Fact]
    public void Ids_at_the_limit_with_any_printable_characters_are_accepted()
    {
        var (count, columns) = RecommendationService.Validate(new RecommendationRequest { UserId = new string('u', 256), ItemId = "a/b ü #?" });
        Assert.Equal(RecommendationService.DefaultResults, count);
        Assert.Null(columns);
        RecommendationService.ValidateRanking("u/1", [new string('i', 256)]);
    }

    [Fact]
    public void Unknown_metadata_columns_are_named()
    {
        var schema = DatasetSchema.Create(
            DatasetType.Items,
            new FieldDefinition("ITEM_ID", FieldType.String, false, false, false),
            new FieldDefinition("GENRES", FieldType.String, true, true, false));
        var catalog = new ItemCatalog(new AttributeIndexBuilder("ITEM_ID").Build(), schema, null, DateTimeOffset.UnixEpoch);

        catalog.EnsureMetadataColumns(["GENRES", "genres"]);
        var error = Assert.Throws<InvalidInputException>(() => catalog.EnsureMetadataColumns(["GENRES", "PRICE", "RATING"]));
        Assert.Equal(["metadataColumns"], error.Errors.Keys);
        Assert.Contains("'PRICE', 'RATING'", error.Message, StringComparison.Ordinal);

        var none = new ItemCatalog(null, null, null, DateTimeOffset.UnixEpoch);
        Assert.Throws<InvalidInputException>(() => none.EnsureMetadataColumns(["GENRES"]));
    }
}
