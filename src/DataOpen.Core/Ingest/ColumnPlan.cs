using System.Globalization;
using System.Text;
using DataOpen.Core.Catalog;

namespace DataOpen.Core.Ingest;

/// <summary>Where a column's type came from.</summary>
public enum TypeOrigin
{
    /// <summary>Not known yet: run <see cref="TypeInference.Infer"/>.</summary>
    Pending,
    Declared,
    Inferred,
}

/// <summary>One source column and the table column it becomes.</summary>
/// <param name="SourceIndex">0-based position in the source's <see cref="IRowSource.Headers"/>.</param>
/// <param name="Header">The header as written in the file (often Chinese).</param>
/// <param name="Name">The public ASCII column name.</param>
/// <param name="Spec">The dataset.json field describing it, when there is one.</param>
public sealed record PlannedColumn(
    int SourceIndex,
    string Header,
    string Name,
    FieldType Type,
    TypeOrigin Origin,
    bool Required = false,
    string? Format = null,
    FieldSpec? Spec = null)
{
    /// <summary>The Chinese title: the declared one, else the header when it is not the name itself.</summary>
    public string? TitleZh => Spec?.Title?.Zh ?? (string.Equals(Header, Name, StringComparison.OrdinalIgnoreCase) ? null : Header);
}

/// <summary>How the headers of a source map to typed table columns, in source order.</summary>
public sealed class ColumnPlan
{
    private ColumnPlan(IReadOnlyList<PlannedColumn> columns, TimeSpan timeZone)
    {
        Columns = columns;
        TimeZone = timeZone;
    }

    public IReadOnlyList<PlannedColumn> Columns { get; }

    /// <summary>Offset used for timestamps written without one.</summary>
    public TimeSpan TimeZone { get; }

    /// <summary>True when every column has a type (declared or inferred).</summary>
    public bool IsResolved => Columns.All(c => c.Origin != TypeOrigin.Pending);

    /// <summary>
    /// Maps headers to columns using dataset.json <c>fields</c>. A field matches the header equal to its
    /// <c>source</c>, or, without one, the header equal to its name ignoring case. Other headers keep their
    /// name when it is a valid ASCII name once lower-cased, else become <c>col_{position}</c>, the header
    /// staying as the Chinese title. Undeclared types are left <see cref="TypeOrigin.Pending"/>.
    /// </summary>
    public static ColumnPlan Create(IReadOnlyList<string> headers, IReadOnlyList<FieldSpec>? fields, TimeSpan timeZone)
    {
        var specByHeader = new Dictionary<string, FieldSpec>(StringComparer.Ordinal);
        foreach (var field in fields ?? [])
        {
            if (!IsValidName(field.Name))
            {
                throw new IngestException(IngestProblem.InvalidFieldSpec, $"Field name \"{field.Name}\" is not valid: use a-z, 0-9 and _, starting with a letter, at most 63 characters.", column: field.Name);
            }

            if (field.Type is not null && !FieldTypes.TryParse(field.Type, out _))
            {
                throw new IngestException(IngestProblem.InvalidFieldSpec, $"Field \"{field.Name}\" has unknown type \"{field.Type}\"; use one of {string.Join(", ", FieldTypes.Names)}.", column: field.Name);
            }

            string? header = field.Source is not null
                ? headers.FirstOrDefault(h => h == field.Source.Trim())
                : headers.FirstOrDefault(h => string.Equals(h, field.Name, StringComparison.OrdinalIgnoreCase));
            if (header is null)
            {
                throw new IngestException(
                    IngestProblem.UnknownField,
                    $"dataset.json field \"{field.Name}\" refers to column \"{field.Source ?? field.Name}\", which the file does not have; its columns are: {string.Join(", ", headers)}.",
                    column: field.Name);
            }

            if (!specByHeader.TryAdd(header, field))
            {
                throw new IngestException(IngestProblem.InvalidFieldSpec, $"dataset.json fields \"{specByHeader[header].Name}\" and \"{field.Name}\" both describe column \"{header}\".", column: field.Name);
            }
        }

        var columns = new PlannedColumn[headers.Count];
        var taken = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specByHeader.Values)
        {
            if (!taken.TryAdd(spec.Name, spec.Name))
            {
                throw new IngestException(IngestProblem.DuplicateColumnName, $"Two dataset.json fields are named \"{spec.Name}\".", column: spec.Name);
            }
        }

        for (int i = 0; i < headers.Count; i++)
        {
            string header = headers[i];
            if (specByHeader.TryGetValue(header, out var spec))
            {
                bool declared = FieldTypes.TryParse(spec.Type, out var type);
                columns[i] = new PlannedColumn(i, header, spec.Name, type, declared ? TypeOrigin.Declared : TypeOrigin.Pending, spec.Required ?? false, spec.Format, spec);
                continue;
            }

            string lower = header.ToLowerInvariant();
            string name;
            if (IsValidName(lower))
            {
                name = lower;
                if (!taken.TryAdd(name, header))
                {
                    throw new IngestException(IngestProblem.DuplicateColumnName, $"Column \"{header}\" would be named \"{name}\", which column \"{taken[name]}\" already uses; add a dataset.json field giving one of them another name.", column: header);
                }
            }
            else
            {
                name = string.Create(CultureInfo.InvariantCulture, $"col_{i + 1}");
                for (int suffix = 2; !taken.TryAdd(name, header); suffix++)
                {
                    name = string.Create(CultureInfo.InvariantCulture, $"col_{i + 1}_{suffix}");
                }
            }

            columns[i] = new PlannedColumn(i, header, name, FieldType.Text, TypeOrigin.Pending);
        }

        return new ColumnPlan(columns, timeZone);
    }

    /// <summary>Plan for a dataset: its fields and its time zone (or the default one).</summary>
    public static ColumnPlan Create(IReadOnlyList<string> headers, DatasetDefinition definition, IngestOptions? options = null) =>
        Create(headers, definition.Fields, ParseTimeZone(definition.TimeZone, (options ?? IngestOptions.Default).DefaultTimeZone));

    /// <summary>The same plan with the given types for pending columns.</summary>
    public ColumnPlan WithInferredTypes(IReadOnlyList<FieldType> types)
    {
        var columns = new PlannedColumn[Columns.Count];
        for (int i = 0; i < columns.Length; i++)
        {
            var c = Columns[i];
            columns[i] = c.Origin == TypeOrigin.Pending ? c with { Type = types[i], Origin = TypeOrigin.Inferred } : c;
        }

        return new ColumnPlan(columns, TimeZone);
    }

    /// <summary>The catalog's view of the columns, for <see cref="TableShape"/>.</summary>
    public IReadOnlyList<FieldInfo> ToFieldInfos() => Columns
        .Select((c, i) => new FieldInfo(
            c.Name,
            c.Type,
            i,
            c.TitleZh,
            c.Spec?.Title?.En,
            c.Spec?.Description,
            c.Spec?.Unit,
            c.Spec?.ValueDomain,
            c.Spec?.Sensitivity ?? "public"))
        .ToArray();

    /// <summary>
    /// <c>CREATE TABLE name ("_row_id" bigint NOT NULL, "col" type, …)</c>: a plain (logged) table;
    /// the caller adds the primary key on <c>_row_id</c> after the COPY, which is faster than maintaining it during the load.
    /// </summary>
    public string CreateTableSql(string qualifiedTableName)
    {
        EnsureResolved();
        var sql = new StringBuilder("CREATE TABLE ").Append(qualifiedTableName).Append(" (")
            .Append(Sql.QuoteIdentifier(TableShape.RowIdColumn)).Append(" bigint NOT NULL");
        foreach (var c in Columns)
        {
            sql.Append(", ").Append(Sql.QuoteIdentifier(c.Name)).Append(' ').Append(c.Type.ToSqlType());
            if (c.Required)
            {
                sql.Append(" NOT NULL");
            }
        }

        return sql.Append(')').ToString();
    }

    /// <summary>The binary COPY statement matching the loader's column order.</summary>
    public string CopySql(string qualifiedTableName)
    {
        var sql = new StringBuilder("COPY ").Append(qualifiedTableName).Append(" (").Append(Sql.QuoteIdentifier(TableShape.RowIdColumn));
        foreach (var c in Columns)
        {
            sql.Append(", ").Append(Sql.QuoteIdentifier(c.Name));
        }

        return sql.Append(") FROM STDIN (FORMAT BINARY)").ToString();
    }

    internal void EnsureResolved()
    {
        if (!IsResolved)
        {
            throw new InvalidOperationException("The column plan still has columns without a type; run TypeInference.Infer first.");
        }
    }

    /// <summary>Public column names: what dataset.json allows (^[a-z][a-z0-9_]{0,62}$).</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length is 0 or > 63 || !char.IsAsciiLetterLower(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads a dataset.json <c>timeZone</c> (+08:00).</summary>
    public static TimeSpan ParseTimeZone(string? value, TimeSpan fallback)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (value.Length == 6 && value[0] is '+' or '-' && value[3] == ':'
            && int.TryParse(value.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int hours)
            && int.TryParse(value.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int minutes)
            && hours <= 14 && minutes < 60)
        {
            int sign = value[0] == '-' ? -1 : 1;
            return new TimeSpan(sign * hours, sign * minutes, 0);
        }

        throw new IngestException(IngestProblem.InvalidFieldSpec, $"timeZone \"{value}\" is not an offset like +08:00.");
    }
}
