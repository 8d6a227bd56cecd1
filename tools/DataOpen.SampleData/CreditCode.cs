namespace DataOpen.SampleData;

/// <summary>
/// Unified social credit code (统一社会信用代码, GB 32100-2015) and the organisation code inside it
/// (组织机构代码, GB 11714-1997): generation and validation of both check characters.
/// </summary>
public static class CreditCode
{
    /// <summary>The 31 characters of GB 32100 (no I, O, S, V, Z); a character's value is its index.</summary>
    public const string Charset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    // 3^(i-1) mod 31 for positions 1..17.
    private static readonly int[] CreditWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    private static readonly int[] OrgWeights = [3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>GB 11714 check character of an 8-character organisation code body (digits and capital letters, A = 10 … Z = 35).</summary>
    public static char OrganizationCheck(string body)
    {
        if (body.Length != 8)
        {
            throw new ArgumentException($"Organisation code body must have 8 characters, got '{body}'.", nameof(body));
        }
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            sum += OrgValue(body[i]) * OrgWeights[i];
        }
        var c = 11 - sum % 11;
        return c switch
        {
            10 => 'X',
            11 => '0',
            _ => (char)('0' + c),
        };
    }

    private static int OrgValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => throw new ArgumentException($"Character '{c}' is not allowed in an organisation code."),
    };

    /// <summary>GB 32100 check character (position 18) of the first 17 characters.</summary>
    public static char CreditCheck(string first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException($"Expected 17 characters, got '{first17}'.", nameof(first17));
        }
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var v = Charset.IndexOf(first17[i], StringComparison.Ordinal);
            if (v < 0)
            {
                throw new ArgumentException($"Character '{first17[i]}' at position {i + 1} is not in the GB 32100 character set.", nameof(first17));
            }
            sum += v * CreditWeights[i];
        }
        return Charset[(31 - sum % 31) % 31];
    }

    /// <summary>Builds a full code: registration authority + category (e.g. "91" for an enterprise), 6-digit division code, 8-character organisation body.</summary>
    public static string Build(string authorityAndCategory, string division, string orgBody)
    {
        var first17 = authorityAndCategory + division + orgBody + OrganizationCheck(orgBody);
        return first17 + CreditCheck(first17);
    }

    /// <summary>True when both the organisation-code check (position 17) and the credit-code check (position 18) hold.</summary>
    public static bool IsValid(string code)
    {
        if (code.Length != 18)
        {
            return false;
        }
        foreach (var c in code)
        {
            if (!Charset.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }
        var body = code.Substring(8, 8);
        return OrganizationCheck(body) == code[16] && CreditCheck(code[..17]) == code[17];
    }
}
