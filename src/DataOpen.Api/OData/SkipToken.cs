using System.Globalization;

namespace DataOpen.Api.OData;

/// <summary>
/// The <c>$skiptoken</c> of a nextLink: the dataset version the walk started on (0 for catalog sets)
/// and either the engine's keyset cursor (rows) or an offset (grouped results). Pinning the version
/// means a walk that began before a new version was published keeps reading the old, immutable table.
/// Text form: <c>{version}.c.{cursor}</c> or <c>{version}.o.{offset}</c> (URL-safe as is).
/// </summary>
public sealed record SkipToken(int Version, string? Cursor, long? Offset)
{
    public override string ToString() => Cursor is not null
        ? $"{Version.ToString(CultureInfo.InvariantCulture)}.c.{Cursor}"
        : $"{Version.ToString(CultureInfo.InvariantCulture)}.o.{Offset!.Value.ToString(CultureInfo.InvariantCulture)}";

    public static SkipToken Parse(string text) => TryParse(text) ??
        throw ODataRequestException.BadRequest(ODataErrorCodes.BadSkipToken, "The $skiptoken is malformed; use the @odata.nextLink of the previous page as is.", "$skiptoken");

    /// <summary>The token, or null when <paramref name="text"/> is not one.</summary>
    public static SkipToken? TryParse(string text)
    {
        var parts = text.Split('.', 3);
        if (parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            && parts[2].Length > 0)
        {
            if (parts[1] == "c")
            {
                return new SkipToken(version, parts[2], null);
            }

            if (parts[1] == "o" && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return new SkipToken(version, null, offset);
            }
        }

        return null;
    }
}
