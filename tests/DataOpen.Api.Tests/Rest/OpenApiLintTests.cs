using DataOpen.Api.Tests.GraphQL;
using DataOpen.Api.Infrastructure;

namespace DataOpen.Api.Tests.Rest;

/// <summary>
/// Lints the committed OpenAPI document with Redocly CLI (pinned by Rest/openapi-lint/package-lock.json, installed
/// with npm ci by the test itself): zero errors under the recommended rules, and a mutilated copy must fail.
/// </summary>
public sealed class OpenApiLintTests
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private static string Folder => Path.Combine(RepoPaths.RepositoryRoot ?? throw new InvalidOperationException("Run the tests from a checkout."), "tests", "DataOpen.Api.Tests", "Rest", "openapi-lint");

    private static async Task<(int Code, string Output)> LintAsync(string document)
    {
        Assert.True(Node.Available, "node is required when CI=true: install nodejs and npm (.ci/run does).");
        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(Folder, "node_modules", ".bin", "redocly")))
            {
                var (code, output) = Run("npm", "ci --no-audit --no-fund", TimeSpan.FromMinutes(5));
                Assert.True(code == 0, "npm ci failed in " + Folder + ":\n" + output);
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return Run("node", $"node_modules/@redocly/cli/bin/cli.js lint --format stylish \"{document}\"", TimeSpan.FromMinutes(2));
    }

    private static readonly Dictionary<string, string> Quiet = new() { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" };

    private static (int Code, string Output) Run(string file, string arguments, TimeSpan timeout) => Node.TryRun(file, arguments, Folder, timeout, Quiet);

    [NodeFact]
    public async Task The_openapi_document_has_no_redocly_errors()
    {
        var document = Path.Combine(RepoPaths.RepositoryRoot!, "openapi", "dataopen.v1.json");
        var (code, output) = await LintAsync(document);
        Assert.True(code == 0, "redocly lint found errors in openapi/dataopen.v1.json:\n" + output);
        Assert.DoesNotContain(" error ", output, StringComparison.Ordinal);
    }

    [NodeFact]
    public async Task A_document_without_servers_and_security_fails_the_lint()
    {
        var document = Path.Combine(RepoPaths.RepositoryRoot!, "openapi", "dataopen.v1.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(document))!.AsObject();
        json.Remove("servers");
        json.Remove("security");
        var mutilated = Path.Combine(Path.GetTempPath(), $"dataopen-openapi-mutilated-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(mutilated, json.ToJsonString());
        try
        {
            var (code, output) = await LintAsync(mutilated);
            Assert.NotEqual(0, code);
            Assert.Contains("no-empty-servers", output, StringComparison.Ordinal);
            Assert.Contains("security-defined", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(mutilated);
        }
    }
}
