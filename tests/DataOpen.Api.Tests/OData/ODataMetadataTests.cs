using System.Net;
using System.Text.Json;
using System.Xml;
using DataOpen.Api.OData;
using DataOpen.Api.Tests.Infrastructure;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using Microsoft.OData.Edm.Validation;
using Microsoft.OData.Edm.Vocabularies;
using Microsoft.OData.Edm.Vocabularies.V1;

namespace DataOpen.Api.Tests.OData;

[Collection(ApiTests.Name)]
public sealed class ODataMetadataTests(DataOpenFactory factory)
{
    private static IEdmModel ReadXml(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml));
        Assert.True(CsdlReader.TryParse(reader, out var model, out var errors), string.Join("; ", errors?.Select(e => e.ErrorMessage) ?? []));
        return model;
    }

    [Fact]
    public async Task Metadata_xml_parses_back_with_CsdlReader_and_validates_without_errors()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/odata/$metadata");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("4.0", response.Headers.GetValues("OData-Version").Single());
        Assert.StartsWith("application/xml", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);

        var model = ReadXml(await response.Content.ReadAsStringAsync());
        Assert.True(model.Validate(out var errors), string.Join("; ", errors.Select(e => e.ErrorCode + ": " + e.ErrorMessage)));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Metadata_lists_open_and_conditional_datasets_and_the_catalog_sets_but_never_not_open_ones()
    {
        using var client = factory.CreateClient();
        var model = ReadXml(await client.GetStringAsync("/odata/$metadata"));
        var sets = model.EntityContainer.EntitySets().Select(s => s.Name).ToHashSet();

        Assert.Contains("AirQualityHourly", sets);
        Assert.Contains("EnterpriseEnergyConsumption", sets); // conditional: metadata is public
        Assert.DoesNotContain("EnterpriseTaxDetails", sets); // not-open
        Assert.Contains("Datasets", sets);
        Assert.Contains("Publishers", sets);
        Assert.Contains("Themes", sets);
    }

    [Fact]
    public async Task Entity_types_map_field_types_key_the_declared_key_and_keep_Chinese_labels_as_Core_Description()
    {
        using var client = factory.CreateClient();
        var model = ReadXml(await client.GetStringAsync("/odata/$metadata"));
        var air = model.EntityContainer.FindEntitySet("AirQualityHourly").EntityType;

        // The declared primaryKey (station_code, observed_at) is the key, in order and not nullable; RowId stays a property.
        Assert.Equal(["station_code", "observed_at"], air.Key().Select(k => k.Name));
        Assert.All(air.Key(), k => Assert.False(k.Type.IsNullable));
        var rowId = air.FindProperty("RowId");
        Assert.Equal(EdmPrimitiveTypeKind.Int64, rowId.Type.PrimitiveKind());
        Assert.False(rowId.Type.IsNullable);
        Assert.Equal(EdmPrimitiveTypeKind.DateTimeOffset, air.FindProperty("observed_at").Type.PrimitiveKind());
        Assert.Equal(EdmPrimitiveTypeKind.Int32, air.FindProperty("aqi").Type.PrimitiveKind());
        Assert.Equal(EdmPrimitiveTypeKind.String, air.FindProperty("station_name").Type.PrimitiveKind());

        var co = air.FindProperty("co").Type.AsDecimal();
        Assert.Null(co.Scale); // Scale="variable": decimals keep their fraction

        var description = model.FindVocabularyAnnotations<IEdmVocabularyAnnotation>(air.FindProperty("station_name"), CoreVocabularyModel.DescriptionTerm).Single();
        Assert.Contains("站点名称", ((IEdmStringConstantExpression)description.Value).Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_json_is_served_on_format_json_and_on_Accept_and_parses_back()
    {
        using var client = factory.CreateClient();
        var byFormat = await client.GetAsync("/odata/$metadata?$format=json");
        Assert.StartsWith("application/json", byFormat.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var bytes = await byFormat.Content.ReadAsByteArrayAsync();
        var reader = new Utf8JsonReader(bytes);
        Assert.True(CsdlReader.TryParse(ref reader, out var model, out var errors), string.Join("; ", errors?.Select(e => e.ErrorMessage) ?? []));
        Assert.NotNull(model.EntityContainer.FindEntitySet("AirQualityHourly"));

        var byAccept = await client.GetWithAsync("/odata/$metadata", "Accept", "application/json");
        Assert.Equal(bytes, await byAccept.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Metadata_is_cached_per_catalog_version_and_a_publish_adds_a_set_without_restart()
    {
        using var client = factory.CreateClient();
        var before = await client.GetAsync("/odata/$metadata");
        var etag = before.Headers.ETag!.Tag;
        using (var again = new HttpRequestMessage(HttpMethod.Get, "/odata/$metadata"))
        {
            again.Headers.TryAddWithoutValidation("If-None-Match", etag);
            Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
        }

        var name = await ODataTestData.PublishAsync(factory, "t-odmeta", 10);

        var after = await client.GetAsync("/odata/$metadata");
        Assert.NotEqual(etag, after.Headers.ETag!.Tag);
        var model = ReadXml(await after.Content.ReadAsStringAsync());
        Assert.NotNull(model.EntityContainer.FindEntitySet(name));
        var service = await client.GetJsonAsync("/odata/");
        Assert.Contains(service.Values(), s => s.GetProperty("name").GetString() == name && s.GetProperty("kind").GetString() == "EntitySet");
    }

    [Fact]
    public async Task Service_document_has_context_and_every_entity_set()
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/odata");
        Assert.Equal("4.0", response.Headers.GetValues("OData-Version").Single());
        var body = await response.ReadJsonAsync();
        Assert.EndsWith("/odata/$metadata", body.GetProperty("@odata.context").GetString(), StringComparison.Ordinal);
        var names = body.Values().Select(v => v.GetProperty("url").GetString()).ToList();
        Assert.Contains("AirQualityHourly", names);
        Assert.Contains("Datasets", names);

        // A real key: an invalid one is refused with 401 before the door.
        var (key, _) = await DataOpen.Api.Tests.Access.AccessHelpers.NewKeyAsync(factory);
        var keyed = await client.GetJsonAsync($"/odata/?api_key={key}");
        Assert.Contains(keyed.Values(), v => v.GetProperty("url").GetString() == $"AirQualityHourly?api_key={key}");
    }

    [Fact]
    public void A_dataset_named_like_a_catalog_set_gets_the_suffix_Data()
    {
        Assert.Equal("DatasetsData", ODataModel.EntitySetName("datasets"));
        Assert.Equal("AirQualityHourly", ODataModel.EntitySetName("air-quality-hourly"));
    }

    [Fact]
    public async Task Catalog_view_entity_set_names_match_the_model()
    {
        using var client = factory.CreateClient();
        var rows = (await client.GetJsonAsync("/odata/Datasets?$select=identifier,entity_set")).Values();
        var model = ReadXml(await client.GetStringAsync("/odata/$metadata"));
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.NotNull(model.EntityContainer.FindEntitySet(r.GetProperty("entity_set").GetString())));
    }
}
