namespace DataOpen.Api.Harvest;

public enum RdfKind
{
    Iri,
    Blank,
    Literal,
}

/// <summary>An RDF term: an IRI, a blank node (label without <c>_:</c>) or a literal with a language tag or a datatype IRI.</summary>
public sealed record RdfTerm(RdfKind Kind, string Value, string? Language = null, string? Datatype = null)
{
    public static RdfTerm Iri(string iri) => new(RdfKind.Iri, iri);

    public static RdfTerm Text(string text, string? language = null) => new(RdfKind.Literal, text, language);

    public static RdfTerm Typed(string text, string datatype) => new(RdfKind.Literal, text, null, datatype);
}

public sealed record RdfTriple(RdfTerm Subject, string Predicate, RdfTerm Object);

/// <summary>
/// The vocabularies DataOpen writes, with the prefixes every serialisation declares. No RDF library for .NET is
/// served by the package registry here (dotNetRDF is not), so the graph is this small triple list and the three
/// writers beside it; the tests parse every serialisation back with N3.js, jsonld.js and rdfxml-streaming-parser
/// and check that the three give the same graph.
/// </summary>
public static class Ns
{
    public const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public const string Rdfs = "http://www.w3.org/2000/01/rdf-schema#";
    public const string Xsd = "http://www.w3.org/2001/XMLSchema#";
    public const string Dcat = "http://www.w3.org/ns/dcat#";
    public const string Dct = "http://purl.org/dc/terms/";
    public const string Foaf = "http://xmlns.com/foaf/0.1/";
    public const string Skos = "http://www.w3.org/2004/02/skos/core#";
    public const string Vcard = "http://www.w3.org/2006/vcard/ns#";
    public const string Spdx = "http://spdx.org/rdf/terms#";
    public const string Hydra = "http://www.w3.org/ns/hydra/core#";
    public const string Owl = "http://www.w3.org/2002/07/owl#";
    public const string Dqv = "http://www.w3.org/ns/dqv#";

    public static readonly IReadOnlyList<(string Prefix, string Namespace)> Prefixes =
    [
        ("rdf", Rdf), ("rdfs", Rdfs), ("xsd", Xsd), ("dcat", Dcat), ("dct", Dct), ("foaf", Foaf), ("skos", Skos),
        ("vcard", Vcard), ("spdx", Spdx), ("hydra", Hydra), ("owl", Owl), ("dqv", Dqv),
    ];

    public const string Type = Rdf + "type";

    /// <summary>prefix:local for an IRI in a known namespace whose local part is a plain name, else null.</summary>
    public static (string Prefix, string Namespace, string Local)? Split(string iri)
    {
        foreach (var (prefix, ns) in Prefixes)
        {
            if (iri.Length > ns.Length && iri.StartsWith(ns, StringComparison.Ordinal) && IsName(iri.AsSpan(ns.Length)))
            {
                return (prefix, ns, iri[ns.Length..]);
            }
        }

        return null;
    }

    private static bool IsName(ReadOnlySpan<char> s)
    {
        if (s.Length == 0 || !char.IsAsciiLetter(s[0]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A graph in insertion order, deduplicated; subjects keep the order of their first triple.</summary>
public sealed class RdfGraph
{
    private readonly List<RdfTriple> triples = [];
    private readonly HashSet<RdfTriple> seen = [];
    private int blanks;

    public IReadOnlyList<RdfTriple> Triples => triples;

    public RdfTerm NewBlank() => new(RdfKind.Blank, "b" + (++blanks).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public RdfGraph Add(RdfTerm subject, string predicate, RdfTerm obj)
    {
        var t = new RdfTriple(subject, predicate, obj);
        if (seen.Add(t))
        {
            triples.Add(t);
        }

        return this;
    }

    public RdfGraph Add(RdfTerm subject, string predicate, string iri) => Add(subject, predicate, RdfTerm.Iri(iri));

    public RdfGraph Type(RdfTerm subject, params string[] classes)
    {
        foreach (var c in classes)
        {
            Add(subject, Ns.Type, RdfTerm.Iri(c));
        }

        return this;
    }

    /// <summary>A Chinese literal and, when there is one, its English translation.</summary>
    public RdfGraph Text(RdfTerm subject, string predicate, string? zh, string? en)
    {
        if (!string.IsNullOrEmpty(zh))
        {
            Add(subject, predicate, RdfTerm.Text(zh, "zh"));
        }

        if (!string.IsNullOrEmpty(en))
        {
            Add(subject, predicate, RdfTerm.Text(en, "en"));
        }

        return this;
    }

    /// <summary>Triples grouped by subject, subjects in order of first appearance.</summary>
    public IEnumerable<IGrouping<RdfTerm, RdfTriple>> BySubject() => triples.GroupBy(t => t.Subject);
}
