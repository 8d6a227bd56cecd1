using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataOpen.Api.Catalog;
using DataOpen.Api.GraphQL;
using DataOpen.Api.Infrastructure;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace DataOpen.Api.Tests.Docs;

/// <summary>
/// The documentation under docs/ is complete and its links hold. Rules, so a test failure says exactly what to add:
/// <list type="bullet">
/// <item>A <b>setting</b> is documented when some page of docs/ writes its full configuration key, in colon form
/// (<c>DataOpen:OData:PageSize</c>) or environment form (<c>DataOpen__OData__PageSize</c>). The options classes are the
/// types of the DataOpen assemblies with a <c>public const string Section</c>; every property with a public setter is
/// a setting. A property that is a dictionary of DataOpen settings objects (tier overrides) is documented per member
/// with any key segment between (<c>DataOpen__Access__Tiers__&lt;tier&gt;__Burst</c>). Connection strings read with
/// <c>GetConnectionString("X")</c> must appear as <c>ConnectionStrings__X</c> or <c>ConnectionStrings:X</c>.</item>
/// <item>A <b>route</b> of the committed OpenAPI document (openapi/*.json) is documented when a page writes its path;
/// parameter names may differ (<c>{id}</c> for <c>{keyId}</c>), but the path must end there (not continue with
/// <c>/</c> or a name character).</item>
/// <item>A static <b>GraphQL root field</b> (a Query field of the schema built for an empty catalog, i.e. not a
/// per-dataset one) is documented when a <c>```graphql</c> block of a page writes its name followed by <c>(</c>,
/// <c>:</c> or <c>{</c>, as a schema excerpt or a query.</item>
/// <item>A <b>relative link</b> (or image) in README.md or a page of docs/ must name an existing file or folder and,
/// with <c>#anchor</c>, a heading of the target page under GitHub's anchor rules.</item>
/// </list>
/// </summary>
public sealed partial class DocsTests
{
    private static readonly string Root = RepoPaths.RepositoryRoot ?? throw new InvalidOperationException("Run the tests from a checkout.");

    /// <summary>The assemblies whose options are bound to configuration: the web host and the two libraries.</summary>
    private static readonly Assembly[] Assemblies =
    [
        typeof(Program).Assembly,
        typeof(DataOpen.Core.Query.RowQuery).Assembly,
        typeof(DataOpen.Disclosure.DisclosureException).Assembly,
    ];

    private static readonly string[] ExpectedPages =
        ["README.md", "publishing.md", "rest.md", "odata.md", "graphql.md", "access.md", "statistics.md", "pages.md", "operations.md", "performance.md", "architecture.md"];

    private static string DocsFolder => Path.Combine(Root, "docs");

    private static IEnumerable<string> Pages() => Directory.EnumerateFiles(DocsFolder, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    private static string DocsText() => string.Join("\n", Pages().Select(File.ReadAllText));

    [Fact]
    public void Every_area_has_its_page_and_the_index_links_them_all()
    {
        var index = File.ReadAllText(Path.Combine(DocsFolder, "README.md"));
        var linked = Markdown.Links(index).Select(l => l.Target.Split('#')[0]).ToHashSet(StringComparer.Ordinal);
        Assert.All(ExpectedPages, page => Assert.True(File.Exists(Path.Combine(DocsFolder, page)), $"docs/{page} is missing"));
        var pages = Directory.EnumerateFiles(DocsFolder, "*.md").Select(Path.GetFileName).Where(p => p != "README.md").ToList();
        Assert.All(pages, page => Assert.True(linked.Contains(page!), $"docs/README.md does not link {page}"));
        var lines = File.ReadAllLines(Path.Combine(Root, "README.md")).Length;
        Assert.True(lines <= 250, $"README.md is the front door and should stay within 250 lines; it has {lines}: move the details to a page of docs/.");
    }

    /// <summary>The options classes: every type of the DataOpen assemblies with a <c>public const string Section</c>.</summary>
    internal static List<(Type Type, string Section)> OptionsClasses() => Assemblies
        .SelectMany(a => a.GetTypes())
        .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
        .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
        .Select(x => (x.Type, (string)x.Field!.GetRawConstantValue()!))
        .OrderBy(x => x.Item2, StringComparer.Ordinal)
        .ToList();

    /// <summary>Each setting as the regular expression of its documented key (colon or environment separators).</summary>
    internal static List<(string Key, Regex Pattern)> Settings()
    {
        var settings = new List<(string, Regex)>();
        foreach (var (type, section) in OptionsClasses())
        {
            foreach (var property in Settable(type))
            {
                var segments = section.Split(':').Append(property.Name).ToList();
                var valueType = property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>)
                    ? property.PropertyType.GetGenericArguments()[1]
                    : null;
                if (valueType is not null && Assemblies.Contains(valueType.Assembly))
                {
                    foreach (var member in Settable(valueType))
                    {
                        settings.Add(($"{string.Join(':', segments)}:<key>:{member.Name}", KeyPattern([.. segments, null, member.Name])));
                    }
                }
                else
                {
                    settings.Add((string.Join(':', segments), KeyPattern(segments)));
                }
            }
        }

        return settings;
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    /// <summary>Segments joined by <c>:</c> or <c>__</c>; a null segment is any one key (a tier's name, <c>&lt;tier&gt;</c>).</summary>
    private static Regex KeyPattern(IEnumerable<string?> segments) =>
        new(@"(?<![A-Za-z0-9])" + string.Join("(?::|__)", segments.Select(s => s is null ? @"[^\s:`|]+?" : Regex.Escape(s))) + "(?![A-Za-z0-9])", RegexOptions.CultureInvariant);

    [Fact]
    public void Every_setting_of_every_options_class_is_documented_in_docs()
    {
        var classes = OptionsClasses();
        // The known ones must be found, so a broken discovery cannot pass by finding nothing.
        Assert.Superset(new[] { typeof(DataOpenOptions), typeof(global::DataOpen.Api.OData.ODataOptions), typeof(global::DataOpen.Api.Access.AccessOptions), typeof(global::DataOpen.Api.Statistics.DisclosureSettings), typeof(GraphQLLimits) }.ToHashSet(),
            classes.Select(c => c.Type).ToHashSet());
        var docs = DocsText();
        var missing = Settings().Where(s => !s.Pattern.IsMatch(docs)).Select(s => s.Key).ToList();
        Assert.True(missing.Count == 0,
            $"Settings documented nowhere in docs/ (write the full key, e.g. `DataOpen:OData:PageSize` or `DataOpen__OData__PageSize`, on the area's page): {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_options_type_bound_to_configuration_is_an_options_class_that_the_docs_check_reads()
    {
        // Read the IL: every AddOptions<T>/Configure<T>/BindConfiguration<T>/Bind/Get<T> of Microsoft.Extensions with a
        // DataOpen type T. A new options class without a Section constant would escape the check above: it fails here.
        var bound = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instruction in Instructions())
        {
            if (instruction.Operand is GenericInstanceMethod { Name: "AddOptions" or "Configure" or "BindConfiguration" or "Bind" or "Get" or "GetValue" or "PostConfigure" } m
                && m.DeclaringType.Namespace.StartsWith("Microsoft.Extensions", StringComparison.Ordinal))
            {
                foreach (var argument in m.GenericArguments.Where(a => a.Namespace.StartsWith("DataOpen", StringComparison.Ordinal)))
                {
                    bound.Add(argument.FullName);
                }
            }
        }

        var known = OptionsClasses().Select(c => c.Type.FullName!).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(typeof(DataOpenOptions).FullName!, bound);
        var unknown = bound.Where(b => !known.Contains(b)).ToList();
        Assert.True(unknown.Count == 0,
            $"Options bound to configuration without a `public const string Section` (give them one, so the docs check sees their settings): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Every_connection_string_the_service_reads_is_documented_in_docs()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instruction in Instructions())
        {
            if (instruction is { OpCode.Code: Code.Ldstr, Next.Operand: MethodReference { Name: "GetConnectionString" } })
            {
                names.Add((string)instruction.Operand);
            }
        }

        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "DataOpen", "Redis" }, names);
        var docs = DocsText();
        var missing = names.Where(n => !KeyPattern(["ConnectionStrings", n]).IsMatch(docs)).ToList();
        Assert.True(missing.Count == 0, $"Connection strings documented nowhere in docs/ (as `ConnectionStrings__Name`): {string.Join(", ", missing)}");
    }

    private static IEnumerable<Instruction> Instructions()
    {
        foreach (var assembly in Assemblies)
        {
            using var module = ModuleDefinition.ReadModule(assembly.Location);
            foreach (var method in module.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody))
            {
                foreach (var instruction in method.Body.Instructions)
                {
                    yield return instruction;
                }
            }
        }
    }

    /// <summary>Every path of the committed OpenAPI documents, with its pattern in the docs.</summary>
    internal static List<(string Path, Regex Pattern)> Routes()
    {
        var routes = new List<(string, Regex)>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "openapi"), "*.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
            {
                var pattern = RouteParameter().Replace(Regex.Escape(path.Name), @"\{[^}/\s]+\}");
                routes.Add((path.Name, new Regex(pattern + @"(?![A-Za-z0-9_/{-])", RegexOptions.CultureInvariant)));
            }
        }

        return routes;
    }

    [Fact]
    public void Every_route_of_the_committed_openapi_document_is_documented_in_docs()
    {
        var routes = Routes();
        Assert.Contains(routes, r => r.Path == "/api/v1/datasets/{id}/rows");
        var docs = DocsText();
        var missing = routes.Where(r => !r.Pattern.IsMatch(docs)).Select(r => r.Path).ToList();
        Assert.True(missing.Count == 0, $"Routes of openapi/ documented nowhere in docs/ (write the path, e.g. in the area's endpoint table): {string.Join(", ", missing)}");
    }

    /// <summary>The Query fields every schema has: the schema the service builds for a catalog with no dataset.</summary>
    internal static List<string> StaticRootFields()
    {
        var schema = SchemaBuilder.Build(CatalogSnapshot.Empty, new GraphQLLimits()).Schema;
        return schema.Query.Fields.Select(f => f.Name).Where(n => !n.StartsWith("__", StringComparison.Ordinal)).ToList();
    }

    [Fact]
    public void Every_static_graphql_root_field_is_documented_in_docs()
    {
        var fields = StaticRootFields();
        Assert.Contains("datasets", fields);
        var committed = File.ReadAllText(Path.Combine(Root, "openapi", "dataopen.graphql"));
        Assert.All(fields, f => Assert.Matches(@"(?m)^  " + Regex.Escape(f) + @"[(:]", committed));

        var graphql = string.Join("\n", Pages().SelectMany(p => Markdown.Lines(File.ReadAllText(p))).Where(l => l.InFence && l.Fence == "graphql").Select(l => l.Text));
        var missing = fields.Where(f => !Regex.IsMatch(graphql, @"(?<![A-Za-z0-9_])" + Regex.Escape(f) + @"\s*[(:{]")).ToList();
        Assert.True(missing.Count == 0,
            $"GraphQL root fields documented nowhere in docs/ (show each in a ```graphql block, e.g. the `type Query` excerpt of graphql.md): {string.Join(", ", missing)}");
    }

    /// <summary>Every relative link of README.md and docs/ that does not resolve, as "file:line: target (why)".</summary>
    internal static List<string> BrokenLinks(IEnumerable<string> files)
    {
        var broken = new List<string>();
        var anchors = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var link in Markdown.Links(File.ReadAllText(file)))
            {
                if (Scheme().IsMatch(link.Target))
                {
                    continue;
                }

                var hash = link.Target.IndexOf('#', StringComparison.Ordinal);
                var path = Uri.UnescapeDataString(hash < 0 ? link.Target : link.Target[..hash]);
                var anchor = hash < 0 ? null : Uri.UnescapeDataString(link.Target[(hash + 1)..]);
                var target = path.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, path));
                var where = $"{Path.GetRelativePath(Root, file)}:{link.Line}: {link.Target}";
                if (!File.Exists(target) && !Directory.Exists(target))
                {
                    broken.Add(where + " (no such file)");
                }
                else if (anchor is { Length: > 0 })
                {
                    if (!target.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !File.Exists(target))
                    {
                        broken.Add(where + " (an anchor on a file that is not a Markdown page)");
                    }
                    else if (!(anchors.TryGetValue(target, out var known) ? known : anchors[target] = Markdown.Anchors(File.ReadAllText(target))).Contains(anchor))
                    {
                        broken.Add(where + $" (no heading with anchor #{anchor} in {Path.GetRelativePath(Root, target)})");
                    }
                }
            }
        }

        return broken;
    }

    [Fact]
    public void Every_relative_link_in_the_readme_and_docs_resolves()
    {
        var files = Pages().Prepend(Path.Combine(Root, "README.md")).ToList();
        Assert.Contains(files, f => Markdown.Links(File.ReadAllText(f)).Any(l => l.Target.Contains('#', StringComparison.Ordinal)));
        var broken = BrokenLinks(files);
        Assert.True(broken.Count == 0, "Broken relative links:\n  " + string.Join("\n  ", broken));
    }

    [Theory]
    [InlineData("Configuration (`DataOpen:Disclosure:*`, confidential)", "configuration-dataopendisclosure-confidential")]
    [InlineData("The web host's folders", "the-web-hosts-folders")]
    [InlineData("`GET /api/v1/datasets/{id}/download?format=…`", "get-apiv1datasetsiddownloadformat")]
    [InlineData("The catalog pages (数据开放门户)", "the-catalog-pages-数据开放门户")]
    [InlineData("REST (`rest`)", "rest-rest")]
    [InlineData("Feedback and data_requests: [stewards](x.md)", "feedback-and-data_requests-stewards")]
    public void Anchors_follow_githubs_rules(string heading, string anchor) => Assert.Equal(anchor, Markdown.Slug(heading));

    [Fact]
    public void A_repeated_heading_gets_a_numbered_anchor_and_headings_in_code_are_none()
    {
        var anchors = Markdown.Anchors("# A\n## Configuration\n```bash\n# not a heading\n```\n## Configuration\n<a name=\"x-y\"></a>\n");
        Assert.Equal(new HashSet<string> { "a", "configuration", "configuration-1", "x-y" }, anchors);
    }

    [GeneratedRegex(@"\\\{[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex Scheme();
}
