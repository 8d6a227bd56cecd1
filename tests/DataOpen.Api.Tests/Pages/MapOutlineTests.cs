using System.Text;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Maps;

namespace DataOpen.Api.Tests.Pages;

/// <summary>The outline file the maps draw: the committed sample is valid; a file that is not polygons fails with the setting named.</summary>
public sealed class MapOutlineTests
{
    [Fact]
    public void The_sample_outline_is_a_FeatureCollection_of_polygons()
    {
        var path = RepoPaths.Resolve("seeds/outline.geojson");
        MapOutline.Check(File.ReadAllBytes(path), path);
    }

    [Theory]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[125.3,43.9]}}]}""", "Point")]
    [InlineData("""{"type":"Feature","geometry":null}""", "FeatureCollection")]
    [InlineData("""not json""", "GeoJSON")]
    public void Anything_else_is_refused_naming_the_setting(string text, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => MapOutline.Check(Encoding.UTF8.GetBytes(text), "x.geojson"));
        Assert.Contains("DataOpen:Map:OutlinePath", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
