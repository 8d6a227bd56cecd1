using DataOpen.Core.Catalog;

namespace DataOpen.Api.OData;

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
