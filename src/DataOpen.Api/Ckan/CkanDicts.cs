using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataOpen.Api.Catalog;
using DataOpen.Core.Catalog;

namespace DataOpen.Api.Ckan;

/// <summary>
/// DataOpen's catalogue in CKAN's dictionaries, key for key as ckan/lib/dictization/model_dictize.py writes them
/// (package_dictize, resource_dictize, group_dictize, tag_list_dictize) after default_show_package_schema. CKAN has
/// one language per field: title and notes are the Chinese text; the English ones, the Chinese catalogue fields
/// (开放属性, 更新频率, 数据提供方, 资源分类, 数据项 …) and the DCAT ones travel as extras, named as ckanext-dcat names
/// them where it has a name (issued, modified, frequency, access_rights, temporal_start …).
/// </summary>
public static class CkanDicts
{
    /// <summary>Licences that conform to the Open Definition (CKAN's isopen).</summary>
    private static readonly HashSet<string> OpenLicences = new(StringComparer.Ordinal) { "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "ODbL-1.0", "PDDL-1.0", "ODC-BY-1.0" };

    public static JsonObject Package(CkanIndex index, DatasetEntry d, string baseUrl)
    {
        var m = d.Metadata;
        var snapshot = index.Snapshot;
        var licence = snapshot.LicensesById.GetValueOrDefault(m.License);
        var publisher = snapshot.PublishersById.GetValueOrDefault(m.Publisher);
        var contact = snapshot.ContactOf(m);
        var resources = new JsonArray([.. index.ResourcesOf(d).Select(r => (JsonNode)Resource(r, baseUrl))]);
        var tags = new JsonArray([.. CkanIndex.Tags(d).Select(t => (JsonNode)Tag(t))]);
        var groups = new JsonArray([.. index.GroupsOf(d).OrderBy(g => g.Theme.LabelZh, StringComparer.Ordinal).Select(g => (JsonNode)new JsonObject
        {
            ["description"] = "",
            ["display_name"] = g.Theme.LabelZh,
            ["id"] = g.Id,
            ["image_display_url"] = "",
            ["name"] = g.Name,
            ["title"] = g.Theme.LabelZh,
        })]);
        var package = new JsonObject
        {
            ["author"] = publisher?.NameZh,
            ["author_email"] = publisher?.Email,
            ["creator_user_id"] = null,
            ["id"] = CkanIndex.PackageId(d),
            ["isopen"] = OpenLicences.Contains(m.License),
            ["license_id"] = m.License,
            ["license_title"] = licence?.TitleZh ?? m.License,
            ["maintainer"] = contact?.Name ?? publisher?.NameZh,
            ["maintainer_email"] = contact?.Email ?? publisher?.Email,
            ["metadata_created"] = CkanIndex.Timestamp(Created(d)),
            ["metadata_modified"] = CkanIndex.Timestamp(d.Modified),
            ["name"] = d.Identifier,
            ["notes"] = m.Description.Zh,
            ["num_resources"] = resources.Count,
            ["num_tags"] = tags.Count,
            ["organization"] = publisher is null ? null : Organization(publisher),
            ["owner_org"] = publisher is null ? null : CkanIndex.OrganizationId(publisher.Id),
            ["private"] = false,
            ["state"] = "active",
            ["title"] = m.Title.Zh,
            ["type"] = "dataset",
            ["url"] = $"{baseUrl}/datasets/{Uri.EscapeDataString(d.Identifier)}",
            ["version"] = d.Current?.Version.ToString(CultureInfo.InvariantCulture),
            ["extras"] = Extras(index, d, baseUrl),
            ["resources"] = resources,
            ["tags"] = tags,
            ["groups"] = groups,
            ["relationships_as_subject"] = new JsonArray(),
            ["relationships_as_object"] = new JsonArray(),
        };
        if (licence?.Url is { } url)
        {
            package["license_url"] = url;
        }

        return package;
    }

    /// <summary>When the dataset was first registered (catalog.datasets.created_at), else its first version.</summary>
    public static DateTimeOffset Created(DatasetEntry d) =>
        d.Created ?? (d.Versions.Count > 0 ? d.Versions.Min(v => v.PublishedAt) : d.Modified);

    /// <summary>The extras, sorted by key as CKAN's extras_list_dictize sorts them; every value is a string (JSON text for lists).</summary>
    public static JsonArray Extras(CkanIndex index, DatasetEntry d, string baseUrl)
    {
        var pairs = ExtraValues(index, d, baseUrl).Where(kv => kv.Value is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal);
        return new JsonArray([.. pairs.Select(kv => (JsonNode)new JsonObject { ["key"] = kv.Key, ["value"] = kv.Value })]);
    }

    public static Dictionary<string, string?> ExtraValues(CkanIndex index, DatasetEntry d, string baseUrl)
    {
        var m = d.Metadata;
        var publisher = index.Snapshot.PublishersById.GetValueOrDefault(m.Publisher);
        var contact = index.Snapshot.ContactOf(m);
        var (classZh, classEn) = CatalogSearch.OpenClassLabel(m.OpenClass);
        var (frequencyZh, _) = CatalogSearch.FrequencyLabel(m.UpdateFrequency);
        var self = $"{baseUrl}/api/v1/datasets/{Uri.EscapeDataString(d.Identifier)}";
        var extras = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["identifier"] = d.Identifier,
            ["title_en"] = m.Title.En,
            ["notes_en"] = m.Description.En,
            ["tags_en"] = m.Keywords.En is { Count: > 0 } en ? JsonSerializer.Serialize(en) : null,
            ["issued"] = m.Issued,
            ["modified"] = d.Modified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["open_class"] = m.OpenClass,
            ["open_class_label"] = $"{classZh} / {classEn}",
            ["access_rights"] = OpenClasses.ToAccessRights(m.OpenClass),
            ["open_conditions"] = m.OpenConditions?.Zh,
            ["open_conditions_en"] = m.OpenConditions?.En,
            ["update_frequency"] = m.UpdateFrequency,
            ["update_frequency_label"] = frequencyZh,
            ["frequency"] = EuVocabularies.FrequencyUri(m.UpdateFrequency),
            ["provider"] = publisher?.NameZh ?? m.Publisher,
            ["publisher_name"] = publisher?.NameZh,
            ["publisher_email"] = publisher?.Email,
            ["publisher_url"] = publisher?.Website,
            ["contact_name"] = contact?.Name,
            ["contact_email"] = contact?.Email,
            ["contact_phone"] = contact?.Phone,
            ["themes"] = JsonSerializer.Serialize(m.Themes.SelectMany(kv => kv.Value.Select(c => kv.Key + ":" + c))),
            ["security_grade"] = m.SecurityGrade,
            ["temporal_start"] = m.TemporalCoverage?.Start,
            ["temporal_end"] = m.TemporalCoverage?.End,
            ["spatial_text"] = m.SpatialCoverage?.Zh,
            ["language"] = m.Title.En is null ? "[\"zh\"]" : "[\"zh\", \"en\"]",
            ["current_version"] = d.Current?.Version.ToString(CultureInfo.InvariantCulture),
            ["row_count"] = d.Current?.RowCount.ToString(CultureInfo.InvariantCulture),
            ["sha256"] = d.Current?.Sha256,
            ["conforms_to"] = $"{self}/schema",
            ["fields"] = d.Current is { } v ? JsonSerializer.Serialize(v.Shape.Fields.Select(f => new
            {
                name = f.Name,
                type = f.Type.ToName(),
                title = f.TitleZh,
                title_en = f.TitleEn,
                unit = f.Unit,
                sensitivity = f.Sensitivity,
            }), JsonOptions) : null,
        };
        foreach (var (scheme, codes) in m.Themes)
        {
            extras["theme_" + scheme] = string.Join(",", codes);
        }

        return extras;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>resource_dictize: one download format of the current version, served by datastore_search too.</summary>
    public static JsonObject Resource(CkanResource r, string baseUrl)
    {
        var d = r.Dataset;
        var v = d.Current!;
        var published = CkanIndex.Timestamp(v.PublishedAt);
        return new JsonObject
        {
            ["cache_last_updated"] = null,
            ["cache_url"] = null,
            ["created"] = published,
            ["datastore_active"] = true,
            ["description"] = $"{d.Metadata.Title.Zh}：第 {v.Version} 版，{v.RowCount} 行，{r.Format.ToUpperInvariant()} 格式下载（流式，无行数上限）。",
            ["format"] = r.Format.ToUpperInvariant(),
            ["hash"] = "",
            ["id"] = r.Id,
            ["last_modified"] = published,
            ["metadata_modified"] = CkanIndex.Timestamp(d.Modified),
            ["mimetype"] = MediaTypes.For(r.Format),
            ["mimetype_inner"] = null,
            ["name"] = $"{d.Metadata.Title.Zh} ({r.Format.ToUpperInvariant()})",
            ["package_id"] = CkanIndex.PackageId(d),
            ["position"] = r.Position,
            ["resource_type"] = null,
            ["size"] = null,
            ["state"] = "active",
            ["url"] = $"{baseUrl}/api/v1/datasets/{Uri.EscapeDataString(d.Identifier)}/download?format={r.Format}&version={v.Version.ToString(CultureInfo.InvariantCulture)}",
            ["url_type"] = null,
            ["version"] = v.Version,
        };
    }

    /// <summary>The core organization dictionary (as in a package's <c>organization</c>).</summary>
    public static JsonObject Organization(PublisherInfo p) => new()
    {
        ["id"] = CkanIndex.OrganizationId(p.Id),
        ["name"] = p.Id,
        ["title"] = p.NameZh,
        ["type"] = "organization",
        ["description"] = p.DescriptionZh ?? "",
        ["image_url"] = "",
        ["created"] = null,
        ["is_organization"] = true,
        ["approval_status"] = "approved",
        ["state"] = "active",
    };

    /// <summary>group_dictize of a publisher (organization_show, organization_list with all_fields).</summary>
    public static JsonObject OrganizationFull(PublisherInfo p, int packageCount, bool extras)
    {
        var org = Organization(p);
        org["display_name"] = p.NameZh;
        org["image_display_url"] = "";
        org["package_count"] = packageCount;
        if (extras)
        {
            org["extras"] = new JsonArray([.. new[] { ("title_en", p.NameEn), ("description_en", p.DescriptionEn), ("email", p.Email), ("phone", p.Phone), ("website", p.Website) }
                .Where(x => x.Item2 is not null).Select(x => (JsonNode)new JsonObject { ["key"] = x.Item1, ["value"] = x.Item2, ["state"] = "active" })]);
        }

        return org;
    }

    /// <summary>group_dictize of a theme (group_show, group_list with all_fields).</summary>
    public static JsonObject Group(CkanGroup g, int packageCount, bool extras)
    {
        var group = new JsonObject
        {
            ["id"] = g.Id,
            ["name"] = g.Name,
            ["title"] = g.Theme.LabelZh,
            ["type"] = "group",
            ["description"] = $"{g.Scheme.NameZh}：{g.Theme.LabelZh}",
            ["image_url"] = "",
            ["created"] = null,
            ["is_organization"] = false,
            ["approval_status"] = "approved",
            ["state"] = "active",
            ["display_name"] = g.Theme.LabelZh,
            ["image_display_url"] = "",
            ["package_count"] = packageCount,
        };
        if (extras)
        {
            group["extras"] = new JsonArray([.. new[] { ("scheme", (string?)g.Scheme.Id), ("code", g.Theme.Code), ("title_en", g.Theme.LabelEn), ("parent", g.Theme.ParentCode) }
                .Where(x => x.Item2 is not null).Select(x => (JsonNode)new JsonObject { ["key"] = x.Item1, ["value"] = x.Item2, ["state"] = "active" })]);
        }

        return group;
    }

    /// <summary>A free tag (no vocabulary), as tag_list_dictize writes it.</summary>
    public static JsonObject Tag(string name) => new()
    {
        ["display_name"] = name,
        ["id"] = CkanIndex.TagId(name),
        ["name"] = name,
        ["state"] = "active",
        ["vocabulary_id"] = null,
    };
}
