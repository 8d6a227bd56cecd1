using DataOpen.Core.Catalog;

namespace DataOpen.Core.Ingest;

/// <summary>
/// Infers the type of every undeclared column from all its values (a full pass: a sample can
/// miss the one value that makes a column text). A column takes the first type, in the order
/// boolean, integer, bigint, decimal, double, date, timestamp, that every non-null value fits;
/// otherwise text. All-null columns are text.
/// </summary>
/// <remarks>
/// Deliberate choices: booleans are true/false, yes/no, 是/否 only, so 0/1 columns stay integer;
/// numbers with leading zeros (007, 0431) are codes and make a column text; numbers with thousands
/// separators (1,234) make a column text, never silently numbers; numbers with an exponent or more
/// than 28 significant digits are double, other fractions decimal (exact). Dates and timestamps are
/// judged by their form, so a column of dates with an impossible one (2023-02-30) is still a date
/// column and that value is rejected with its reason rather than turning the column into text.
/// </remarks>
public static class TypeInference
{
    /// <summary>Reads every remaining row of <paramref name="rows"/> and returns the plan with all types resolved.</summary>
    public static ColumnPlan Infer(ColumnPlan plan, IRowSource rows, IngestOptions? options = null, CancellationToken cancellationToken = default)
    {
        var columns = plan.Columns;
        var pending = new List<int>();
        for (int i = 0; i < columns.Count; i++)
        {
            if (columns[i].Origin == TypeOrigin.Pending)
            {
                pending.Add(i);
            }
        }

        var states = new ColumnInference[columns.Count];
        if (pending.Count > 0)
        {
            var nulls = new NullPolicy(options ?? IngestOptions.Default);
            int[] active = [.. pending];
            int[] sources = [.. active.Select(i => columns[i].SourceIndex)];
            while (rows.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (int k = 0; k < active.Length; k++)
                {
                    ref var state = ref states[active[k]];
                    if (state.IsSettled)
                    {
                        continue;
                    }

                    var value = rows.GetValue(sources[k]).Trim();
                    if (!nulls.IsNull(value))
                    {
                        state.Observe(value);
                    }
                }
            }
        }

        var types = new FieldType[columns.Count];
        for (int i = 0; i < types.Length; i++)
        {
            types[i] = states[i].Result;
        }

        return plan.WithInferredTypes(types);
    }

    /// <summary>The type inferred for a list of raw values (null and empty values are ignored).</summary>
    public static FieldType InferType(IEnumerable<string?> values, IngestOptions? options = null)
    {
        var nulls = new NullPolicy(options ?? IngestOptions.Default);
        var state = default(ColumnInference);
        foreach (var raw in values)
        {
            var value = raw.AsSpan().Trim();
            if (!nulls.IsNull(value))
            {
                state.Observe(value);
            }
        }

        return state.Result;
    }

    [Flags]
    private enum Candidates
    {
        None = 0,
        Boolean = 1,
        Integer = 2,
        BigInt = 4,
        Decimal = 8,
        Double = 16,
        Date = 32,
        Timestamp = 64,
        Numeric = Integer | BigInt | Decimal | Double,
        Temporal = Date | Timestamp,
        All = Boolean | Numeric | Temporal,
    }

    private struct ColumnInference
    {
        private Candidates remaining;
        private bool sawValue;

        /// <summary>Only text is left: no later value can change the answer.</summary>
        public readonly bool IsSettled => sawValue && remaining == Candidates.None;

        public readonly FieldType Result
        {
            get
            {
                if (!sawValue)
                {
                    return FieldType.Text;
                }

                return remaining switch
                {
                    _ when remaining.HasFlag(Candidates.Boolean) => FieldType.Boolean,
                    _ when remaining.HasFlag(Candidates.Integer) => FieldType.Integer,
                    _ when remaining.HasFlag(Candidates.BigInt) => FieldType.BigInt,
                    _ when remaining.HasFlag(Candidates.Decimal) => FieldType.Decimal,
                    _ when remaining.HasFlag(Candidates.Double) => FieldType.Double,
                    _ when remaining.HasFlag(Candidates.Date) => FieldType.Date,
                    _ when remaining.HasFlag(Candidates.Timestamp) => FieldType.Timestamp,
                    _ => FieldType.Text,
                };
            }
        }

        public void Observe(ReadOnlySpan<char> value)
        {
            if (!sawValue)
            {
                sawValue = true;
                remaining = Candidates.All;
            }

            if ((remaining & Candidates.Boolean) != 0 && !ValueParser.TryParseBooleanStrict(value, out _))
            {
                remaining &= ~Candidates.Boolean;
            }

            if ((remaining & Candidates.Numeric) != 0)
            {
                remaining &= ValueParser.ClassifyNumber(value) switch
                {
                    NumberKind.Int32 => ~Candidates.None,
                    NumberKind.Int64 => ~Candidates.Integer,
                    NumberKind.Decimal => ~(Candidates.Integer | Candidates.BigInt),
                    NumberKind.Double => ~(Candidates.Integer | Candidates.BigInt | Candidates.Decimal),
                    _ => ~Candidates.Numeric,
                };
            }

            if ((remaining & Candidates.Date) != 0 && ValueParser.ParseDate(value, out _) == ParseStatus.BadShape)
            {
                remaining &= ~Candidates.Date;
            }

            if ((remaining & Candidates.Timestamp) != 0 && ValueParser.ParseTimestamp(value, TimeSpan.Zero, out _) == ParseStatus.BadShape)
            {
                remaining &= ~Candidates.Timestamp;
            }
        }
    }
}

/// <summary>Which values mean "no value": empty, white space, or one of <see cref="IngestOptions.NullMarkers"/>.</summary>
internal sealed class NullPolicy
{
    private readonly string[] markers;
    private readonly int longest;

    public NullPolicy(IngestOptions options)
    {
        markers = [.. options.NullMarkers.Where(m => m.Length > 0)];
        longest = markers.Length == 0 ? 0 : markers.Max(m => m.Length);
    }

    /// <summary><paramref name="trimmed"/> must already be trimmed of white space.</summary>
    public bool IsNull(ReadOnlySpan<char> trimmed)
    {
        if (trimmed.IsEmpty)
        {
            return true;
        }

        if (trimmed.Length > longest)
        {
            return false;
        }

        foreach (string marker in markers)
        {
            if (trimmed.SequenceEqual(marker))
            {
                return true;
            }
        }

        return false;
    }
}
