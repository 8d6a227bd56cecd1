using System.Net;
using DataOpen.Api.GraphQL;
using DataOpen.Api.Tests.Infrastructure;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.GraphQL;

/// <summary>A document sent again is served from <see cref="ValidatedDocuments"/>: what depends on its variables is still checked each time.</summary>
[Collection(ApiTests.Name)]
public sealed class GraphQLValidatedDocumentTests(DataOpenFactory factory)
{
    private const string Fields = "station_code station_name observed_at aqi pm2_5 pm10 so2 no2 co o3 primary_pollutant quality_level";

    private static readonly string FourPages =
        "query($n: Int) { " + string.Concat(Enumerable.Range(1, 4).Select(i => $"a{i}: airQualityHourly(first: $n) {{ nodes {{ {Fields} }} }} ")) + "}";

    [Fact]
    public void A_validated_document_keeps_the_complexity_charge_and_drops_rules_of_the_document_alone()
    {
        var complexity = new ComplexityValidationRule(new ComplexityOptions());
        var kept = ValidatedDocuments.RulesForValidated([.. DocumentValidator.CoreRules, complexity]);
        Assert.Contains(complexity, kept);
        Assert.True(kept.Length < DocumentValidator.CoreRules.Count(), $"kept {kept.Length} of {DocumentValidator.CoreRules.Count() + 1} rules");
    }

    [Fact]
    public async Task The_same_document_with_larger_page_variables_is_still_charged_its_complexity()
    {
        using var client = factory.CreateClient();
        var small = await client.PostAsync(FourPages, new { n = 10 });
        Assert.Equal(HttpStatusCode.OK, small.Status);
        Assert.False(small.HasErrors, small.ToString());
        var provider = factory.Services.GetRequiredService<GraphQLSchemaProvider>();
        if (provider.Current.Documents.Find(FourPages) is null)
        {
            // Another test's publish swapped the schema (and its documents) meanwhile: validate once more.
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(FourPages, new { n = 10 })).Status);
        }

        Assert.NotNull(provider.Current.Documents.Find(FourPages));

        // Now a validated document: the variables make it too complex, and that is still refused.
        var large = await client.PostAsync(FourPages, new { n = 1000 });
        Assert.Equal(HttpStatusCode.BadRequest, large.Status);
        Assert.Contains("complexity", large.FirstError.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);

        var again = await client.PostAsync(FourPages, new { n = 10 });
        Assert.Equal(small.Data.ToString(), again.Data.ToString());
    }

    [Fact]
    public async Task The_same_document_with_a_variable_of_the_wrong_type_is_still_refused()
    {
        using var client = factory.CreateClient();
        const string query = "query($n: Int!) { airQualityHourly(first: $n) { nodes { station_code } } }";
        var ok = await client.PostAsync(query, new { n = 2 });
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.False(ok.HasErrors, ok.ToString());

        var wrong = await client.PostAsync(query, new { n = "two" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
        Assert.True(wrong.HasErrors, wrong.ToString());
        var missing = await client.PostAsync(query);
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
    }

    [Fact]
    public async Task A_document_that_failed_validation_is_not_kept()
    {
        using var client = factory.CreateClient();
        const string query = "{ airQualityHourly(first: 2) { nodes { no_such_field } } }";
        var r = await client.PostAsync(query);
        Assert.Equal(HttpStatusCode.BadRequest, r.Status);
        Assert.Null(factory.Services.GetRequiredService<GraphQLSchemaProvider>().Current.Documents.Find(query));
    }
}
