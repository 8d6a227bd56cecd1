namespace DataOpen.Core.Ingest;

internal sealed partial class FieldGuardStream
{
    private void ScanAny(ReadOnlySpan<byte> bytes)
    {
        if (json)
        {
            Scan(bytes);
        }
        else
        {
            ScanCsv(bytes);
        }
    }

    /// <summary>
    /// The CSV scan, in a few vectorised passes per quote-delimited region rather than a step per field:
    /// within a region shorter than the limits only the runs at its two ends can continue a field or row
    /// across regions, so only they need measuring; line breaks are counted, not visited.
    /// </summary>
    private void ScanCsv(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (inQuotes)
            {
                int close = bytes.IndexOf((byte)'"');
                int run = close < 0 ? bytes.Length : close + 1;
                Add(run);
                if (close < 0)
                {
                    return;
                }

                inQuotes = false;
                bytes = bytes[run..];
                continue;
            }

            int quote = bytes.IndexOf((byte)'"');
            var plain = quote < 0 ? bytes : bytes[..quote];
            if (plain.Length > Math.Min(maxField, maxRow))
            {
                Scan(plain);
            }
            else
            {
                ScanPlain(plain);
            }

            if (quote < 0)
            {
                return;
            }

            inQuotes = true;
            quoteOpenedInRecord = Record;
            Add(1);
            bytes = bytes[(quote + 1)..];
        }
    }

    /// <summary>Unquoted bytes without quotes, shorter than both limits.</summary>
    private void ScanPlain(ReadOnlySpan<byte> plain)
    {
        int firstStop = plain.IndexOfAny(plainStops);
        if (firstStop < 0)
        {
            Add(plain.Length);
            return;
        }

        fieldBytes += firstStop;
        int firstLine = plain.IndexOf((byte)'\n');
        if (firstLine < 0)
        {
            rowBytes += plain.Length;
            CheckLimits();
        }
        else
        {
            rowBytes += firstLine;
            CheckLimits();
            Record += plain.Count((byte)'\n');
            rowBytes = plain.Length - plain.LastIndexOf((byte)'\n') - 1;
        }

        fieldBytes = plain.Length - plain.LastIndexOfAny(plainStops) - 1;
        CheckLimits();
    }

    private void Scan(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            if (escapePending)
            {
                // A JSON backslash escape split across two reads: its second byte is plain string content.
                escapePending = false;
                Add(1);
                i++;
                continue;
            }

            var rest = bytes[i..];
            int stop = rest.IndexOfAny(inQuotes ? quotedStops : plainStops);
            if (stop < 0)
            {
                Add(rest.Length);
                return;
            }

            Add(stop + 1);
            i += stop + 1;
            byte b = rest[stop];
            if (b == (byte)'\n')
            {
                // In JSON a raw line break cannot be inside a string; end the line whatever state we are in.
                inQuotes = false;
                fieldBytes = 0;
                rowBytes = 0;
                Record++;
            }
            else if (b == (byte)'"')
            {
                inQuotes = !inQuotes;
                if (inQuotes)
                {
                    quoteOpenedInRecord = Record;
                }
                else if (json)
                {
                    fieldBytes = 0;
                }
            }
            else if (json && b == (byte)'\\')
            {
                if (i < bytes.Length)
                {
                    Add(1);
                    i++;
                }
                else
                {
                    escapePending = true;
                }
            }
            else if (b == delimiter || b == (byte)'\r')
            {
                fieldBytes = 0;
            }
        }
    }

    private void Add(long count)
    {
        fieldBytes += count;
        rowBytes += count;
        CheckLimits();
    }

    private void CheckLimits()
    {
        if (fieldBytes > maxField)
        {
            throw new IngestException(
                IngestProblem.FieldTooLarge,
                $"A field is larger than {Describe(maxField)} (the MaxFieldBytes limit); an unclosed quote may have joined many rows into one field.",
                inQuotes && !json ? quoteOpenedInRecord : Record);
        }

        if (rowBytes > maxRow)
        {
            throw new IngestException(IngestProblem.RowTooLarge, $"A row is larger than {Describe(maxRow)} (the MaxRowBytes limit).", Record);
        }
    }

    private static string Describe(long bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes} bytes";
}
