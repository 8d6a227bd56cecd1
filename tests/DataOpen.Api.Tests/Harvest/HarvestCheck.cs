using System.Text.Json;
using DataOpen.Api.Infrastructure;
using DataOpen.Api.Tests.GraphQL;

namespace DataOpen.Api.Tests.Harvest;

/// <summary>
/// Runs Harvest/js/check.mjs with node: the official DCAT-AP 3.0.0 SHACL shapes (Harvest/js/shapes, from SEMICeu/DCAT-AP)
/// through rdf-validate-shacl, graph equality of the serialisations, a ckanext-dcat-style harvest, and datapackage-js.
/// The packages are pinned by Harvest/js/package-lock.json and installed with npm ci by the first test that needs them.
/// </summary>
public static class HarvestCheck
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string Folder => Path.Combine(RepoPaths.RepositoryRoot ?? throw new InvalidOperationException("Run the tests from a checkout."), "tests", "DataOpen.Api.Tests", "Harvest", "js");

    public static string Shapes => Path.Combine(Folder, "shapes", "dcat-ap-SHACL.ttl");

    public static async Task<(int Code, string Output)> RunAsync(string command, params string[] files)
    {
        Assert.True(Node.Available, "node is required when CI=true: install nodejs and npm (.ci/run does).");
        await InstallLock.WaitAsync();
        try
        {
            if (!Directory.Exists(Path.Combine(Folder, "node_modules", "rdf-validate-shacl")))
            {
                var (code, output) = Node.TryRun("npm", "ci --no-audit --no-fund", Folder, TimeSpan.FromMinutes(5));
                Assert.True(code == 0, "npm ci failed in " + Folder + ":\n" + output);
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return Node.TryRun("node", "check.mjs " + command + " " + string.Join(' ', files.Select(f => "\"" + f + "\"")), Folder, TimeSpan.FromMinutes(3));
    }

    /// <summary>The check's JSON report (stdout is one JSON document; node's warnings, if any, go to stderr after it).</summary>
    public static JsonElement Report(string output)
    {
        var start = output.IndexOfAny(['[', '{']);
        var doc = JsonDocument.Parse(output[start..(output.LastIndexOfAny([']', '}']) + 1)]);
        return doc.RootElement.Clone();
    }

    /// <summary>A temporary folder for the files handed to node, deleted with the returned handle.</summary>
    public sealed class Scratch : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dataopen-harvest-" + Guid.NewGuid().ToString("N"));

        public Scratch() => Directory.CreateDirectory(Path);

        public async Task<string> WriteAsync(string name, string content)
        {
            var file = System.IO.Path.Combine(Path, name);
            await File.WriteAllTextAsync(file, content);
            return file;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
