using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace DataOpen.Api.Harvest;

/// <summary>The three RDF serialisations DataOpen serves, by file extension and media type.</summary>
public sealed record RdfFormat(string Extension, string MediaType, Func<RdfGraph, string> Write)
{
    public static readonly RdfFormat Turtle = new("ttl", "text/turtle", RdfWriters.Turtle);
    public static readonly RdfFormat JsonLd = new("jsonld", "application/ld+json", RdfWriters.JsonLd);
    public static readonly RdfFormat RdfXml = new("rdf", "application/rdf+xml", RdfWriters.RdfXml);

    public static readonly IReadOnlyList<RdfFormat> All = [Turtle, JsonLd, RdfXml];

    public static RdfFormat? ByExtension(string extension) => All.FirstOrDefault(f => f.Extension == extension);
}

public static class RdfWriters
{
    // ---- Turtle (https://www.w3.org/TR/turtle/) ----

    public static string Turtle(RdfGraph graph)
    {
        var sb = new StringBuilder();
        foreach (var (prefix, ns) in Ns.Prefixes)
        {
            sb.Append("@prefix ").Append(prefix).Append(": <").Append(ns).Append("> .\n");
        }

        foreach (var subject in graph.BySubject())
        {
            sb.Append('\n').Append(TurtleTerm(subject.Key));
            var first = true;
            foreach (var predicate in subject.GroupBy(t => t.Predicate))
            {
                sb.Append(first ? " " : " ;\n    ");
                first = false;
                sb.Append(predicate.Key == Ns.Type ? "a" : TurtleIri(predicate.Key)).Append(' ');
                sb.AppendJoin(", ", predicate.Select(t => TurtleTerm(t.Object)));
            }

            sb.Append(" .\n");
        }

        return sb.ToString();
    }

    private static string TurtleTerm(RdfTerm term) => term.Kind switch
    {
        RdfKind.Iri => TurtleIri(term.Value),
        RdfKind.Blank => "_:" + term.Value,
        _ => TurtleString(term.Value) + (term.Language is { } lang ? "@" + lang : term.Datatype is { } dt ? "^^" + TurtleIri(dt) : ""),
    };

    private static string TurtleIri(string iri)
    {
        if (Ns.Split(iri) is { } name)
        {
            return name.Prefix + ":" + name.Local;
        }

        var sb = new StringBuilder("<");
        foreach (var c in iri)
        {
            if (c <= ' ' || c is '<' or '>' or '"' or '{' or '}' or '|' or '^' or '`' or '\\')
            {
                sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('>').ToString();
    }

    private static string TurtleString(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    // ---- JSON-LD 1.1 (https://www.w3.org/TR/json-ld11/), flattened: one node object per subject ----

    public static string JsonLd(RdfGraph graph)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("@context");
            foreach (var (prefix, ns) in Ns.Prefixes)
            {
                w.WriteString(prefix, ns);
            }

            w.WriteEndObject();
            w.WriteStartArray("@graph");
            foreach (var subject in graph.BySubject())
            {
                w.WriteStartObject();
                w.WriteString("@id", subject.Key.Kind == RdfKind.Blank ? "_:" + subject.Key.Value : subject.Key.Value);
                var types = subject.Where(t => t.Predicate == Ns.Type && t.Object.Kind == RdfKind.Iri).ToList();
                if (types.Count > 0)
                {
                    w.WriteStartArray("@type");
                    types.ForEach(t => w.WriteStringValue(JsonLdName(t.Object.Value)));
                    w.WriteEndArray();
                }

                foreach (var predicate in subject.Where(t => !types.Contains(t)).GroupBy(t => t.Predicate))
                {
                    w.WriteStartArray(JsonLdName(predicate.Key));
                    foreach (var t in predicate)
                    {
                        w.WriteStartObject();
                        switch (t.Object.Kind)
                        {
                            case RdfKind.Iri:
                                w.WriteString("@id", t.Object.Value);
                                break;
                            case RdfKind.Blank:
                                w.WriteString("@id", "_:" + t.Object.Value);
                                break;
                            default:
                                w.WriteString("@value", t.Object.Value);
                                if (t.Object.Language is { } lang)
                                {
                                    w.WriteString("@language", lang);
                                }
                                else if (t.Object.Datatype is { } dt)
                                {
                                    w.WriteString("@type", JsonLdName(dt));
                                }

                                break;
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string JsonLdName(string iri) => Ns.Split(iri) is { } name ? name.Prefix + ":" + name.Local : iri;

    // ---- RDF/XML (https://www.w3.org/TR/rdf-syntax-grammar/), one rdf:Description per subject ----

    public static string RdfXml(RdfGraph graph)
    {
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false, Encoding = new UTF8Encoding(false) };
        using (var w = XmlWriter.Create(new StringWriterUtf8(sb), settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("rdf", "RDF", Ns.Rdf);
            foreach (var (prefix, ns) in Ns.Prefixes.Where(p => p.Prefix != "rdf"))
            {
                w.WriteAttributeString("xmlns", prefix, null, ns);
            }

            foreach (var subject in graph.BySubject())
            {
                w.WriteStartElement("rdf", "Description", Ns.Rdf);
                if (subject.Key.Kind == RdfKind.Blank)
                {
                    w.WriteAttributeString("rdf", "nodeID", Ns.Rdf, subject.Key.Value);
                }
                else
                {
                    w.WriteAttributeString("rdf", "about", Ns.Rdf, subject.Key.Value);
                }

                foreach (var t in subject)
                {
                    var name = Ns.Split(t.Predicate) ?? throw new InvalidOperationException($"Predicate {t.Predicate} has no prefix: RDF/XML needs a QName.");
                    w.WriteStartElement(name.Prefix, name.Local, name.Namespace);
                    switch (t.Object.Kind)
                    {
                        case RdfKind.Iri:
                            w.WriteAttributeString("rdf", "resource", Ns.Rdf, t.Object.Value);
                            break;
                        case RdfKind.Blank:
                            w.WriteAttributeString("rdf", "nodeID", Ns.Rdf, t.Object.Value);
                            break;
                        default:
                            if (t.Object.Language is { } lang)
                            {
                                w.WriteAttributeString("xml", "lang", null, lang);
                            }
                            else if (t.Object.Datatype is { } dt)
                            {
                                w.WriteAttributeString("rdf", "datatype", Ns.Rdf, dt);
                            }

                            w.WriteString(t.Object.Value);
                            break;
                    }

                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return sb.ToString();
    }

    private sealed class StringWriterUtf8(StringBuilder sb) : StringWriter(sb, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => Encoding.UTF8;
    }
}
