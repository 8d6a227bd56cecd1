using System.Security.Cryptography;
using System.Text.Json;
using DataOpen.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace DataOpen.Api.Maps;

/// <summary>The outline (district areas) every map draws, read once from <see cref="MapOptions.OutlinePath"/> and checked to be GeoJSON polygons.</summary>
public sealed class MapOutline
{
    public MapOutline(IOptions<MapOptions> options, ILogger<MapOutline> logger)
    {
        var path = RepoPaths.Resolve(options.Value.OutlinePath);
        if (!File.Exists(path))
        {
            logger.LogWarning("No map outline at {Path} (DataOpen:Map:OutlinePath): maps draw the points only", path);
            return;
        }

        var bytes = File.ReadAllBytes(path);
        Check(bytes, path);
        Bytes = bytes;
        Etag = "\"outline-" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
    }

    /// <summary>The GeoJSON as served; null when no outline file is configured.</summary>
    public byte[]? Bytes { get; }

    public string? Etag { get; }

    /// <summary>A FeatureCollection whose features are Polygons or MultiPolygons; anything else fails the start with the file named.</summary>
    internal static void Check(byte[] bytes, string where)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.GetProperty("type").GetString() != "FeatureCollection")
            {
                throw new InvalidDataException("the root is not a FeatureCollection");
            }

            foreach (var f in root.GetProperty("features").EnumerateArray())
            {
                var type = f.GetProperty("geometry").GetProperty("type").GetString();
                if (type is not ("Polygon" or "MultiPolygon"))
                {
                    throw new InvalidDataException($"feature {f.GetProperty("id")} is a {type}, not a Polygon or MultiPolygon");
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or InvalidDataException)
        {
            throw new InvalidDataException($"Map outline {where} (DataOpen:Map:OutlinePath) is not a GeoJSON FeatureCollection of polygons: {ex.Message}", ex);
        }
    }
}
