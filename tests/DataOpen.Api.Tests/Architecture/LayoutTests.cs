using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NetArchTest.Rules;

namespace DataOpen.Api.Tests.Architecture;

/// <summary>
/// The layout's rules, read from the compiled assemblies (IL references, not <c>using</c> lines): one row
/// engine that every door shares, doors that never import each other, and host plumbing that knows no
/// feature. docs/architecture.md draws the same map.
/// </summary>
public sealed class LayoutTests
{
    private const string Root = "DataOpen.Api";

    /// <summary>Doors parse their own syntax into a RowQuery and render their own format.</summary>
    public static readonly string[] Doors = ["Datasets", "OData", "GraphQL", "Pages", "Ckan", "Feeds", "Harvest"];

    /// <summary>The engine every door uses.</summary>
    public static readonly string[] Engine = ["Rows"];

    /// <summary>Features that are not doors: the registry, access rules, publishing, statistics, admin, health, the community (reuses, ratings), data quality, adaptive indexes, webhooks, map previews and telemetry (OpenTelemetry traces and metrics).</summary>
    public static readonly string[] Shared = ["Catalog", "Access", "Publishing", "Statistics", "Admin", "Health", "Community", "Quality", "Indexing", "Webhooks", "Maps", "Telemetry"];

    public const string Infrastructure = "Infrastructure";

    /// <summary>Razor compiles .cshtml views into this namespace; they belong to the pages door.</summary>
    private const string RazorViews = "AspNetCoreGeneratedDocument";

    private static readonly Assembly Api = typeof(Program).Assembly;

    [Fact]
    public void Every_folder_of_the_web_host_is_a_door_the_engine_a_shared_feature_or_infrastructure()
    {
        var known = Doors.Concat(Engine).Concat(Shared).Append(Infrastructure).ToHashSet();
        var unclassified = TopLevelFolders().Where(f => !known.Contains(f)).ToList();
        Assert.True(unclassified.Count == 0,
            $"New top-level namespaces {string.Join(", ", unclassified)}: add each to Doors, Engine or Shared in {nameof(LayoutTests)} and to docs/architecture.md.");
        Assert.All(known, k => Assert.Contains(k, TopLevelFolders()));
    }

    [Fact]
    public void No_door_imports_another_door()
    {
        foreach (var door in Doors)
        {
            var others = Doors.Where(d => d != door).Select(Ns).ToArray();
            var types = door == "Pages" ? DoorTypes(door).Or().ResideInNamespace(RazorViews) : DoorTypes(door);
            AssertHolds(types.ShouldNot().HaveDependencyOnAny(others), $"door {door} must not import {string.Join(", ", others)}");
        }
    }

    [Fact]
    public void The_row_engine_imports_no_door()
    {
        foreach (var engine in Engine)
        {
            AssertHolds(Types.InAssembly(Api).That().ResideInNamespace(Ns(engine)).ShouldNot().HaveDependencyOnAny(Doors.Select(Ns).ToArray()),
                $"the engine {engine} must not import a door");
        }
    }

    [Fact]
    public void Shared_features_import_no_door()
    {
        foreach (var feature in Shared)
        {
            AssertHolds(Types.InAssembly(Api).That().ResideInNamespace(Ns(feature)).ShouldNot().HaveDependencyOnAny(Doors.Select(Ns).ToArray()),
                $"{feature} is shared by the doors and must not import one");
        }
    }

    [Fact]
    public void Infrastructure_imports_no_feature()
    {
        var features = TopLevelFolders().Where(f => f != Infrastructure).Select(Ns).ToArray();
        AssertHolds(Types.InAssembly(Api).That().ResideInNamespace(Ns(Infrastructure)).ShouldNot().HaveDependencyOnAny(features),
            "Infrastructure is the host's plumbing: features register themselves from their own *Setup.cs");
    }

    [Fact]
    public void The_pure_libraries_know_no_web_host()
    {
        foreach (var assembly in new[] { typeof(DataOpen.Core.Query.RowQuery).Assembly, typeof(DataOpen.Disclosure.DisclosureException).Assembly })
        {
            AssertHolds(Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny("Microsoft.AspNetCore", Root),
                $"{assembly.GetName().Name} is a pure library");
        }
    }

    [Fact]
    public void Every_feature_that_registers_services_does_so_from_its_own_setup_class()
    {
        // Extension methods on IServiceCollection/WebApplicationBuilder live in a class named *Setup of the feature's own namespace.
        var registrations = Api.GetTypes()
            .Where(t => t is { IsAbstract: true, IsSealed: true })
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static).Select(m => (Type: t, Method: m)))
            .Where(x => x.Method.GetParameters() is [var first, ..] && x.Method.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute))
                && (first.ParameterType == typeof(IServiceCollection) || first.ParameterType == typeof(WebApplicationBuilder)))
            .ToList();
        Assert.NotEmpty(registrations);
        Assert.All(registrations, x => Assert.True(x.Type.Name.EndsWith("Setup", StringComparison.Ordinal),
            $"{x.Type.FullName}.{x.Method.Name} registers services outside a *Setup class"));
    }

    /// <summary>Past this a source file holds more than one concern; split it along its seams (partial classes per handler group, one type per file).</summary>
    public const int MaxSourceLines = 450;

    private static readonly string[] SourceFolders = ["src", "bench", "tools"];

    [Fact]
    public void No_source_file_is_longer_than_the_limit()
    {
        var root = DataOpen.Api.Infrastructure.RepoPaths.RepositoryRoot ?? throw new InvalidOperationException("Run the tests from a checkout.");
        var tooLong = SourceFolders
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (File: Path.GetRelativePath(root, f), Lines: File.ReadLines(f).Count()))
            .Where(x => x.Lines > MaxSourceLines)
            .ToList();
        Assert.True(tooLong.Count == 0, "Longer than " + MaxSourceLines + " lines: " + string.Join(", ", tooLong.Select(x => $"{x.File} ({x.Lines})")));
    }

    private static PredicateList DoorTypes(string door) => Types.InAssembly(Api).That().ResideInNamespace(Ns(door));

    private static string Ns(string folder) => Root + "." + folder;

    private static List<string> TopLevelFolders() => Api.GetTypes()
        .Select(t => t.Namespace)
        .Where(n => n is not null && n.StartsWith(Root + ".", StringComparison.Ordinal))
        .Select(n => n![(Root.Length + 1)..].Split('.')[0])
        .Distinct()
        .Order(StringComparer.Ordinal)
        .ToList();

    private static void AssertHolds(ConditionList rule, string what)
    {
        var result = rule.GetResult();
        Assert.True(result.IsSuccessful, what + ": " + string.Join(", ", result.FailingTypeNames ?? []));
    }
}
