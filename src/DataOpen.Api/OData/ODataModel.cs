using System.Collections.Frozen;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml;
using DataOpen.Api.Catalog;
using DataOpen.Core.Catalog;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using Microsoft.OData.UriParser;
using Microsoft.OData.UriParser.Aggregation;

namespace DataOpen.Api.OData;

/// <summary>
/// One entity set of the feed: a served dataset (rows of its current version, key <c>RowId</c> = the
/// hidden <c>_row_id</c>) or a catalog view (<c>Datasets</c>, <c>Publishers</c>, <c>Themes</c>).
/// EDM property names equal the column names except the key of dataset sets.
/// </summary>
public sealed class ODataSet
{
    private readonly ConcurrentDictionary<string, TableShape> shapes = new(StringComparer.Ordinal);
    private readonly FrozenDictionary<string, string> columnOf;

    internal ODataSet(string name, EdmEntitySet entitySet, EdmEntityType type, DatasetEntry? dataset, TableShape? catalogShape, string keyProperty, string keyColumn, FieldType keyType, IEnumerable<(string Property, string Column)> properties)
    {
        Name = name;
        EntitySet = entitySet;
        EntityType = type;
        Dataset = dataset;
        CatalogShape = catalogShape;
        KeyProperty = keyProperty;
        KeyColumn = keyColumn;
        KeyType = keyType;
        columnOf = properties.ToFrozenDictionary(p => p.Property, p => p.Column, StringComparer.Ordinal);
        PropertyOf = columnOf.ToFrozenDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
    }

    public string Name { get; }

    public IEdmEntitySet EntitySet { get; }

    public IEdmEntityType EntityType { get; }

    /// <summary>The dataset behind a dataset set; null for catalog sets.</summary>
    public DatasetEntry? Dataset { get; }

    private TableShape? CatalogShape { get; }

    public string KeyProperty { get; }

    public string KeyColumn { get; }

    public FieldType KeyType { get; }

    /// <summary>Column name → EDM property name.</summary>
    public FrozenDictionary<string, string> PropertyOf { get; }

    /// <summary>The SQL column of an EDM property (the key of dataset sets is <c>_row_id</c>).</summary>
    public string ColumnOf(string property) => columnOf.TryGetValue(property, out var c) ? c : property;

    /// <summary>
    /// The table the engine queries: a version's shape plus <c>_row_id</c> as an ordinary bigint
    /// field, so that key lookups and <c>$filter=RowId …</c> compile like any other field.
    /// </summary>
    public TableShape ShapeFor(VersionInfo? version)
    {
        if (Dataset is null)
        {
            return CatalogShape!;
        }

        var v = version ?? Dataset.Current!;
        return shapes.GetOrAdd(v.TableName, _ => new TableShape(v.Shape.Schema, v.Shape.Table,
            v.Shape.Fields.Append(new FieldInfo(TableShape.RowIdColumn, FieldType.BigInt, int.MaxValue))));
    }
}

/// <summary>
/// The EDM model of one catalog version with its entity sets and the cached <c>$metadata</c>
/// documents. Immutable once built; <see cref="ODataModelProvider"/> swaps whole instances.
/// </summary>
/// <summary>
/// A request URL as ODataLib parsed it against one model: the entity set, Set(key) or Set/$count, and the
/// query options. <see cref="Parser"/> is set only while the options are still to be parsed.
/// </summary>
internal sealed record ParsedRequest(string SetName, object? Key, bool CountOnly, ODataUriParser? Parser)
{
    public ApplyClause? Apply { get; init; }

    public FilterClause? Filter { get; init; }

    public OrderByClause? OrderBy { get; init; }

    public SelectExpandClause? Select { get; init; }

    public long? Top { get; init; }

    public long? Skip { get; init; }

    public bool Count { get; init; }
}

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
            sets.Add(view.SetName, new ODataSet(view.SetName, set, type, null, view.Shape, view.Key, view.Key, FieldType.Text, properties));
        }

        return new ODataModel(snapshot, model, sets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The entity type and set of a dataset, typed from the fields of its current version.</summary>
    private static ODataSet AddDatasetSet(EdmModel model, EdmEntityContainer container, DatasetEntry d, string name)
    {
        var type = new EdmEntityType(Namespace, name);
        var key = type.AddStructuralProperty(RowIdProperty, EdmPrimitiveTypeKind.Int64, isNullable: false);
        type.AddKeys(key);
        model.SetDescriptionAnnotation(key, "行号（源文件中的行位置，在同一版本内唯一且不变）/ Row position in the source file, unique and stable within a version.");
        var properties = new List<(string, string)> { (RowIdProperty, TableShape.RowIdColumn) };
        foreach (var f in d.Current!.Shape.Fields)
        {
            var p = type.AddStructuralProperty(f.Name, TypeOf(f.Type));
            properties.Add((f.Name, f.Name));
            var text = Describe(f);
            if (text is not null)
            {
                model.SetDescriptionAnnotation(p, text);
            }
        }

        model.AddElement(type);
        var set = container.AddEntitySet(name, type);
        var title = d.Metadata.Title.En is { } en ? $"{d.Metadata.Title.Zh} / {en}" : d.Metadata.Title.Zh;
        model.SetDescriptionAnnotation(type, title);
        model.SetDescriptionAnnotation(set, title + (d.OpenClass == OpenClasses.Conditional ? "（有条件开放 / conditionally open: rows need an approved API key）" : ""));
        model.SetLongDescriptionAnnotation(set, d.Metadata.Description.Zh);
        return new ODataSet(name, set, type, d, null, RowIdProperty, TableShape.RowIdColumn, FieldType.BigInt, properties);
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

/// <summary>The catalog views of migration 0008 as query-engine shapes (same columns, same types).</summary>
internal sealed record CatalogView(string SetName, string TypeName, string Key, string Description, TableShape Shape)
{
    public static readonly IReadOnlyList<CatalogView> All =
    [
        new("Datasets", "Dataset", "identifier", "已发布的开放数据集（开放与有条件开放）/ Published open and conditionally open datasets", MakeShape("odata_datasets",
            F("identifier", FieldType.Text, "资源代码 / Identifier"),
            F("entity_set", FieldType.Text, "OData 实体集名称 / Entity set of its rows in this feed"),
            F("title_zh", FieldType.Text, "名称 / Title (Chinese)"),
            F("title_en", FieldType.Text, "英文名称 / Title (English)"),
            F("description_zh", FieldType.Text, "摘要 / Description (Chinese)"),
            F("description_en", FieldType.Text, "英文摘要 / Description (English)"),
            F("publisher_id", FieldType.Text, "提供单位 / Publisher id"),
            F("license_id", FieldType.Text, "许可协议 / License id"),
            F("open_class", FieldType.Text, "开放属性 / Open class: unconditional or conditional"),
            F("update_frequency", FieldType.Text, "更新频率 / Update frequency"),
            F("keywords_zh", FieldType.Text, "关键词 / Keywords (Chinese, comma separated)"),
            F("keywords_en", FieldType.Text, "英文关键词 / Keywords (English, comma separated)"),
            F("issued", FieldType.Date, "发布日期 / Issued"),
            F("modified", FieldType.Timestamp, "更新时间 / Modified"),
            F("current_version", FieldType.Integer, "当前版本 / Current version"),
            F("row_count", FieldType.BigInt, "记录数 / Rows in the current version"),
            F("published_at", FieldType.Timestamp, "当前版本发布时间 / Current version published at"))),
        new("Publishers", "Publisher", "id", "数据提供单位 / Publishers", MakeShape("odata_publishers",
            F("id", FieldType.Text, "代码 / Id"),
            F("name_zh", FieldType.Text, "名称 / Name (Chinese)"),
            F("name_en", FieldType.Text, "英文名称 / Name (English)"),
            F("description_zh", FieldType.Text, "简介 / Description (Chinese)"),
            F("description_en", FieldType.Text, "英文简介 / Description (English)"),
            F("email", FieldType.Text, "电子邮箱 / Email"),
            F("phone", FieldType.Text, "电话 / Phone"),
            F("website", FieldType.Text, "网站 / Website"))),
        new("Themes", "Theme", "id", "主题分类 / Themes of every classification scheme", MakeShape("odata_themes",
            F("id", FieldType.Text, "分类:代码 / scheme:code"),
            F("scheme_id", FieldType.Text, "分类体系 / Scheme"),
            F("scheme_name_zh", FieldType.Text, "分类体系名称 / Scheme name"),
            F("code", FieldType.Text, "代码 / Code"),
            F("label_zh", FieldType.Text, "名称 / Label (Chinese)"),
            F("label_en", FieldType.Text, "英文名称 / Label (English)"),
            F("parent_code", FieldType.Text, "上级代码 / Parent code"))),
    ];

    private static TableShape MakeShape(string view, params (string Name, FieldType Type, string Title)[] fields) =>
        new("catalog", view, fields.Select((f, i) => new FieldInfo(f.Name, f.Type, i, f.Title.Split(" / ")[0], f.Title.Split(" / ")[^1]))
            .Append(new FieldInfo(TableShape.RowIdColumn, FieldType.BigInt, int.MaxValue)));

    private static (string, FieldType, string) F(string name, FieldType type, string title) => (name, type, title);
}

/// <summary>
/// Holds the current <see cref="ODataModel"/>: rebuilt when <see cref="CatalogStore.Changed"/> fires
/// (on the thread that reloaded the catalog, not a reader's request) and swapped atomically.
/// </summary>
public sealed class ODataModelProvider : IDisposable
{
    private readonly CatalogStore store;
    private readonly ILogger<ODataModelProvider> logger;
    private readonly Lock buildLock = new();
    private volatile ODataModel current;

    public ODataModelProvider(CatalogStore store, ILogger<ODataModelProvider> logger)
    {
        this.store = store;
        this.logger = logger;
        current = ODataModel.Build(store.Current);
        store.Changed += OnChanged;
    }

    /// <summary>The model of the newest catalog version; a request reads it once and keeps it.</summary>
    public ODataModel Current
    {
        get
        {
            var model = current;
            var snapshot = store.Current;
            // A snapshot newer than the model means Changed fired before this provider subscribed.
            return model.CatalogVersion == snapshot.CatalogVersion ? model : Rebuild(snapshot);
        }
    }

    public void Dispose() => store.Changed -= OnChanged;

    private void OnChanged(CatalogSnapshot snapshot)
    {
        var model = Rebuild(snapshot);
        // Writing CSDL is the slow part for large catalogs: do it now rather than in the first $metadata request.
        _ = Task.Run(() =>
        {
            try
            {
                _ = model.MetadataXml;
            }
            catch (InvalidOperationException ex)
            {
                logger.LogError(ex, "OData $metadata of catalog version {Version} could not be written", model.CatalogVersion);
            }
        });
    }

    private ODataModel Rebuild(CatalogSnapshot snapshot)
    {
        lock (buildLock)
        {
            if (current.CatalogVersion >= snapshot.CatalogVersion && current.CatalogVersion != 0)
            {
                return current;
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var model = ODataModel.Build(snapshot);
            current = model;
            logger.LogInformation("OData model for catalog version {Version}: {Sets} entity sets in {Ms:F0} ms", snapshot.CatalogVersion, model.Sets.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return model;
        }
    }
}
