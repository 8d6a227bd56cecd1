using System.ComponentModel.DataAnnotations;

namespace DataOpen.Api.Maps;

/// <summary>The map preview of datasets with coordinates: the outline the service serves, an optional tile server, and how many points a map draws.</summary>
public sealed class MapOptions
{
    public const string Section = "DataOpen:Map";

    /// <summary>GeoJSON FeatureCollection of (Multi)Polygons drawn under the points, served at GET /api/v1/map/outline; relative paths start at the repository root.</summary>
    public string OutlinePath { get; set; } = "seeds/outline.geojson";

    /// <summary>Optional tile URL template ({z}/{x}/{y}, e.g. an own tile server); empty means no tiles: outline and points only.</summary>
    public string? TileUrl { get; set; }

    /// <summary>Attribution shown with the tiles (required by most tile licences); used only with <see cref="TileUrl"/>.</summary>
    public string? TileAttribution { get; set; }

    /// <summary>The most points one map draws (and its table lists); the page says when a filter selects more.</summary>
    [Range(1, 50_000)]
    public int MaxPoints { get; set; } = 5_000;
}
