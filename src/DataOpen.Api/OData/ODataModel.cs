using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml;
using DataOpen.Api.Catalog;
using DataOpen.Api.Rows;
using DataOpen.Core.Catalog;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;

namespace DataOpen.Api.OData;

/// <summary>
/// The EDM model of one catalog version with its entity sets and the cached <c>$metadata</c>
/// documents. Immutable once built; <see cref="ODataModelProvider"/> swaps whole instances.
/// </summary>
public sealed class ODataModel
{
    public const string Namespace = "DataOpen";
    public const string ContainerName = "Container";
    public const string RowIdProperty = "RowId";

    private readonly Lazy<byte[]> xml;
    private readonly Lazy<byte[]> json;
    private readonly ConcurrentDictionary<string, ODataModel> pinned = new(StringComparer.Ordinal);

    private ODataModel(CatalogSnapshot snapshot, EdmModel model, FrozenDictionary<string, ODataSet> sets)
    {
        Snapshot = snapshot;
        Edm = model;
        Sets = sets;
        xml = new Lazy<byte[]>(() => WriteXml(model), LazyThreadSafetyMode.ExecutionAndPublication);
        json = new Lazy<byte[]>(() => WriteJson(model), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public CatalogSnapshot Snapshot { get; }

    public long CatalogVersion => Snapshot.CatalogVersion;

    public IEdmModel Edm { get; }

    /// <summary>Entity sets by name (ordinal).</summary>
    public FrozenDictionary<string, ODataSet> Sets { get; }

    /// <summary>Parsed request URLs (less $skiptoken and api_key) of this model: a walk parses its URL once.</summary>
    internal ConcurrentDictionary<string, ParsedRequest> Parsed { get; } = new(StringComparer.Ordinal);

    /// <summary>Keeps a parse for the next requests of the same URL; the table is emptied when it holds 1,024.</summary>
    internal void Remember(string key, ParsedRequest parsed)
    {
        if (Parsed.Count >= 1024)
        {
            Parsed.Clear();
        }

        Parsed[key] = parsed;
    }

    /// <summary>CSDL XML, written once per catalog version on first use.</summary>
    public byte[] MetadataXml => xml.Value;

    /// <summary>CSDL JSON, written once per catalog version on first use.</summary>
    public byte[] MetadataJson => json.Value;

    /// <summary>Names the catalog sets take; a dataset whose name would clash gets the suffix <c>Data</c>.</summary>
    public static readonly FrozenSet<string> CatalogSetNames = new[] { "Datasets", "Publishers", "Themes" }.ToFrozenSet(StringComparer.Ordinal);

    public static string EntitySetName(string identifier)
    {
        var name = ODataNames.EntitySet(identifier);
        return CatalogSetNames.Contains(name) ? name + "Data" : name;
    }

    public static ODataModel Build(CatalogSnapshot snapshot)
    {
        var model = new EdmModel();
        var container = new EdmEntityContainer(Namespace, ContainerName);
        model.AddElement(container);
        var sets = new Dictionary<string, ODataSet>(StringComparer.Ordinal);

        foreach (var d in snapshot.Served.OrderBy(d => d.Identifier, StringComparer.Ordinal))
        {
            var name = EntitySetName(d.Identifier);
            if (sets.ContainsKey(name))
            {
                // Identifiers are unique and lower case, so two can only meet here through the clash suffix.
                continue;
            }

            sets.Add(name, AddDatasetSet(model, container, d, name));
        }

        foreach (var view in CatalogView.All)
        {
            var type = new EdmEntityType(Namespace, view.TypeName);
            var properties = new List<(string, string)>();
            foreach (var f in view.Shape.Fields.Where(f => f.Name != TableShape.RowIdColumn))
            {
                var p = type.AddStructuralProperty(f.Name, TypeOf(f.Type, nullable: f.Name != view.Key));
                properties.Add((f.Name, f.Name));
                if (f.Name == view.Key)
                {
                    type.AddKeys(p);
                }

                if (Describe(f) is { } text)
                {
                    model.SetDescriptionAnnotation(p, text);
                }
            }

            model.AddElement(type);
            var set = container.AddEntitySet(view.SetName, type);
            model.SetDescriptionAnnotation(set, view.Description);
            sets.Add(view.SetName, new ODataSet(view.SetName, set, type, null, view.Shape, view.Key, view.Key, FieldType.Text, properties, [(view.Key, view.Key, FieldType.Text)]));
        }

        return new ODataModel(snapshot, model, sets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// The entity type and set of a dataset, typed from the fields of its current version. Its key is the version's declared
    /// primaryKey (composite keys too) when every key field can be an OData key (any type but a double); else <c>RowId</c>,
    /// which every entity carries either way.
    /// </summary>
    private static ODataSet AddDatasetSet(EdmModel model, EdmEntityContainer container, DatasetEntry d, string name)
    {
        var type = new EdmEntityType(Namespace, name);
        var declared = RowKeys.DeclaredKey(d.Current!);
        var keyed = declared.Count > 0 && declared.All(f => f.Type != FieldType.Double);
        var rowId = type.AddStructuralProperty(RowIdProperty, EdmPrimitiveTypeKind.Int64, isNullable: false);
        model.SetDescriptionAnnotation(rowId, "行号（源文件中的行位置，在同一版本内唯一且不变）/ Row position in the source file, unique and stable within a version.");
        var properties = new List<(string, string)> { (RowIdProperty, TableShape.RowIdColumn) };
        var keyProperties = new Dictionary<string, EdmStructuralProperty>(StringComparer.Ordinal);
        foreach (var f in d.Current!.Shape.Fields)
        {
            var isKey = keyed && declared.Any(k => k.Name == f.Name);
            var p = type.AddStructuralProperty(f.Name, TypeOf(f.Type, nullable: !isKey));
            properties.Add((f.Name, f.Name));
            if (isKey)
            {
                keyProperties[f.Name] = p;
            }

            var text = Describe(f);
            if (text is not null)
            {
                model.SetDescriptionAnnotation(p, text);
            }
        }

        type.AddKeys(keyed ? declared.Select(k => (IEdmStructuralProperty)keyProperties[k.Name]) : [rowId]);
        IReadOnlyList<(string, string, FieldType)> entityKey = keyed
            ? declared.Select(k => (k.Name, k.Name, k.Type)).ToList()
            : [(RowIdProperty, TableShape.RowIdColumn, FieldType.BigInt)];

        model.AddElement(type);
        var set = container.AddEntitySet(name, type);
        var title = d.Metadata.Title.En is { } en ? $"{d.Metadata.Title.Zh} / {en}" : d.Metadata.Title.Zh;
        model.SetDescriptionAnnotation(type, title);
        model.SetDescriptionAnnotation(set, title + (d.OpenClass == OpenClasses.Conditional ? "（有条件开放 / conditionally open: rows need an approved API key）" : ""));
        model.SetLongDescriptionAnnotation(set, d.Metadata.Description.Zh);
        return new ODataSet(name, set, type, d, null, RowIdProperty, TableShape.RowIdColumn, FieldType.BigInt, properties, entityKey);
    }

    /// <summary>
    /// The model a walk pinned to <paramref name="version"/> of <paramref name="set"/>'s dataset is parsed against:
    /// this model when that version has the current version's fields, else a model of that one set typed from the
    /// version's own fields (kept per version), so a nextLink taken before a publish that added or removed
    /// fields still reads to its end with the fields it started with.
    /// </summary>
    public ODataModel ForVersion(ODataSet set, VersionInfo version)
    {
        if (set.Dataset is not { Current: { } current } dataset || version.Version == current.Version || SameFields(version.Shape, current.Shape))
        {
            return this;
        }

        if (pinned.Count >= 64)
        {
            pinned.Clear();
        }

        return pinned.GetOrAdd(version.TableName, _ =>
        {
            var model = new EdmModel();
            var container = new EdmEntityContainer(Namespace, ContainerName);
            model.AddElement(container);
            var pinnedSet = AddDatasetSet(model, container, dataset with { Current = version }, set.Name);
            return new ODataModel(Snapshot, model, new Dictionary<string, ODataSet> { [set.Name] = pinnedSet }.ToFrozenDictionary(StringComparer.Ordinal));
        });
    }

    private static bool SameFields(TableShape a, TableShape b) =>
        a.Fields.Select(f => (f.Name, f.Type)).SequenceEqual(b.Fields.Select(f => (f.Name, f.Type)));

    /// <summary>EDM type of a field type. Decimals have variable scale; without it CSDL would mean integers.</summary>
    public static IEdmPrimitiveTypeReference TypeOf(FieldType type, bool nullable = true) => type switch
    {
        FieldType.Integer => EdmCoreModel.Instance.GetInt32(nullable),
        FieldType.BigInt => EdmCoreModel.Instance.GetInt64(nullable),
        FieldType.Decimal => EdmCoreModel.Instance.GetDecimal(null, null, nullable),
        FieldType.Double => EdmCoreModel.Instance.GetDouble(nullable),
        FieldType.Boolean => EdmCoreModel.Instance.GetBoolean(nullable),
        FieldType.Date => EdmCoreModel.Instance.GetDate(nullable),
        FieldType.Timestamp => EdmCoreModel.Instance.GetDateTimeOffset(nullable),
        _ => EdmCoreModel.Instance.GetString(nullable),
    };

    private static string? Describe(FieldInfo f)
    {
        var parts = new List<string>();
        if (f.TitleZh is not null)
        {
            parts.Add(f.TitleEn is null ? f.TitleZh : $"{f.TitleZh} / {f.TitleEn}");
        }

        if (f.Unit is not null)
        {
            parts.Add("单位 unit: " + f.Unit);
        }

        if (f.Description is not null)
        {
            parts.Add(f.Description);
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static byte[] WriteXml(IEdmModel model)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            if (!CsdlWriter.TryWriteCsdl(model, writer, CsdlTarget.OData, out var errors))
            {
                throw new InvalidOperationException("CSDL could not be written: " + string.Join("; ", errors.Select(e => e.ErrorMessage)));
            }
        }

        return buffer.ToArray();
    }

    private static byte[] WriteJson(IEdmModel model)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            if (!CsdlWriter.TryWriteCsdl(model, writer, out var errors))
            {
                throw new InvalidOperationException("CSDL JSON could not be written: " + string.Join("; ", errors.Select(e => e.ErrorMessage)));
            }
        }

        return buffer.ToArray();
    }
}
