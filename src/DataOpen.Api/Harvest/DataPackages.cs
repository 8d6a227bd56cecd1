using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DataOpen.Api.Catalog;

namespace DataOpen.Api.Harvest;

/// <summary>
/// Frictionless Data Packages (https://specs.frictionlessdata.io/data-package/, v1): one per dataset and one for the
/// whole catalogue. A resource per download format of the current version (path, format, media type, encoding, CSV
/// dialect, the Table Schema inline, licence, and the bytes and sha256 of that download once computed, see
/// <see cref="Publishing.DistributionDigests"/>); the package's source is the file as published, with the size and
/// sha256 that catalog.versions holds. Hashes are <c>sha256:</c>-prefixed, as the spec writes non-MD5 hashes.
/// </summary>
public static class DataPackages
{
    private static readonly JsonSerializerOptions SchemaJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonSerializerOptions Json => SchemaJson;

    public static JsonObject ForDataset(CatalogSnapshot snapshot, DatasetEntry d, DcatIris iris, VersionFacts digests)
    {
        var m = d.Metadata;
        var v = d.Current!;
        var publisher = snapshot.PublishersById.GetValueOrDefault(m.Publisher);
        var package = new JsonObject
        {
            ["profile"] = "data-package",
            ["name"] = d.Identifier,
            ["id"] = iris.Dataset(d.Identifier),
            ["title"] = m.Title.Zh,
            ["description"] = m.Description.Zh,
            ["homepage"] = iris.Page(d.Identifier),
            ["version"] = v.Version.ToString(CultureInfo.InvariantCulture),
            ["created"] = v.PublishedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["keywords"] = new JsonArray([.. m.Keywords.Zh.Concat(m.Keywords.En ?? []).Distinct(StringComparer.Ordinal).Select(k => (JsonNode)k)]),
            ["licenses"] = new JsonArray(Licence(snapshot, m.License)),
            ["sources"] = new JsonArray(Source(d, iris)),
            ["contributors"] = new JsonArray(Contributor(publisher, m.Publisher)),
            ["resources"] = new JsonArray([.. Resources(snapshot, d, iris, digests.Of(d))]),
            // Not in the spec, allowed by it (a descriptor may carry more properties): the English texts and the open class.
            ["title_en"] = m.Title.En,
            ["description_en"] = m.Description.En,
            ["access_rights"] = DataOpen.Core.Catalog.OpenClasses.ToAccessRights(m.OpenClass),
        };
        return WithoutNulls(package);
    }

    public static JsonObject ForCatalogue(CatalogSnapshot snapshot, DcatIris iris, VersionFacts digests)
    {
        var datasets = DcatCatalog.Harvestable(snapshot);
        var package = new JsonObject
        {
            ["profile"] = "data-package",
            ["name"] = "dataopen-catalogue",
            ["id"] = iris.Catalog,
            ["title"] = "长春新区公共数据开放平台：全部开放数据",
            ["description"] = "Every dataset the catalogue serves (open and conditionally open; conditional rows need a key with a grant), one resource per download format.",
            ["homepage"] = iris.BaseUrl + "/",
            ["version"] = snapshot.CatalogVersion.ToString(CultureInfo.InvariantCulture),
            ["licenses"] = new JsonArray([.. datasets.Select(d => d.Metadata.License).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(l => Licence(snapshot, l))]),
            ["sources"] = new JsonArray([.. datasets.Select(d => Source(d, iris))]),
            ["resources"] = new JsonArray([.. datasets.SelectMany(d => Resources(snapshot, d, iris, digests.Of(d)))]),
        };
        return WithoutNulls(package);
    }

    private static IEnumerable<JsonNode> Resources(CatalogSnapshot snapshot, DatasetEntry d, DcatIris iris, IReadOnlyDictionary<string, Publishing.DistributionDigest>? digests)
    {
        var m = d.Metadata;
        var v = d.Current!;
        var schema = JsonSerializer.SerializeToNode(CatalogEndpoints.TableSchemaOf(d, v), SchemaJson)!;
        foreach (var format in CatalogSearch.DistributionFormats(d))
        {
            var resource = new JsonObject
            {
                ["name"] = $"{d.Identifier}-{format}",
                ["profile"] = format == "csv" ? "tabular-data-resource" : "data-resource",
                ["title"] = $"{m.Title.Zh} ({format.ToUpperInvariant()})",
                ["description"] = $"第 {v.Version} 版全部 {v.RowCount} 行 / all {v.RowCount} rows of version {v.Version}",
                ["path"] = $"{iris.Api(d.Identifier)}/download?format={format}&version={v.Version.ToString(CultureInfo.InvariantCulture)}",
                ["format"] = format,
                ["mediatype"] = MediaTypes.For(format),
                ["encoding"] = format is "xlsx" or "parquet" ? null : "utf-8",
                ["schema"] = schema.DeepClone(),
                ["licenses"] = new JsonArray(Licence(snapshot, m.License)),
                ["bytes"] = digests?.GetValueOrDefault(format)?.Bytes,
                ["hash"] = digests?.GetValueOrDefault(format) is { } digest ? "sha256:" + digest.Sha256 : null,
            };
            if (format == "csv")
            {
                // What the CSV download writes: UTF-8 with a BOM, comma, CRLF, a header row (RFC 4180).
                resource["dialect"] = new JsonObject { ["delimiter"] = ",", ["lineTerminator"] = "\r\n", ["header"] = true, ["doubleQuote"] = true };
            }

            yield return WithoutNulls(resource);
        }
    }

    private static JsonObject Licence(CatalogSnapshot snapshot, string id)
    {
        var l = snapshot.LicensesById.GetValueOrDefault(id);
        return WithoutNulls(new JsonObject { ["name"] = id, ["path"] = l?.Url, ["title"] = l?.TitleZh ?? id });
    }

    private static JsonObject Source(DatasetEntry d, DcatIris iris)
    {
        var v = d.Current!;
        return new JsonObject
        {
            ["title"] = $"{d.Metadata.Title.Zh}：第 {v.Version} 版发布文件 ({v.SourceFormat})",
            ["path"] = $"{iris.Api(d.Identifier)}/versions/{v.Version.ToString(CultureInfo.InvariantCulture)}",
            ["format"] = v.SourceFormat,
            ["bytes"] = v.ByteSize,
            ["hash"] = "sha256:" + v.Sha256,
        };
    }

    private static JsonObject Contributor(PublisherInfo? p, string id) =>
        WithoutNulls(new JsonObject { ["title"] = p?.NameZh ?? id, ["role"] = "publisher", ["email"] = p?.Email, ["path"] = p?.Website, ["organization"] = p?.NameEn });

    private static JsonObject WithoutNulls(JsonObject o)
    {
        foreach (var key in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
        {
            o.Remove(key);
        }

        return o;
    }
}
