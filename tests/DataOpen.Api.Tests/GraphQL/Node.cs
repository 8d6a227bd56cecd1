using System.Diagnostics;

namespace DataOpen.Api.Tests.GraphQL;

/// <summary>Runs the graphql-js checker in GraphQL/js with node; installs its packages (npm ci) the first time.</summary>
public static class Node
{
    private static readonly Lazy<bool> IsAvailable = new(() => TryRun("node", "--version", Directory.GetCurrentDirectory(), TimeSpan.FromSeconds(20)).ExitCode == 0);
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static bool Available => IsAvailable.Value;

    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "DataOpen.Api.Tests", "GraphQL", "js");
                if (File.Exists(Path.Combine(candidate, "package.json")))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("tests/DataOpen.Api.Tests/GraphQL/js not found above " + AppContext.BaseDirectory);
        }
    }

    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(Folder, "node_modules", "graphql")))
            {
                return;
            }

            var (code, output) = TryRun("npm", "ci --no-audit --no-fund", Folder, TimeSpan.FromMinutes(5));
            Assert.True(code == 0, "npm ci failed in " + Folder + ":\n" + output);
        }
        finally
        {
            InstallLock.Release();
        }
    }

    public static async Task<(int ExitCode, string Output)> RunScriptAsync(params string[] args)
    {
        await EnsureInstalledAsync();
        return TryRun("node", "validate.mjs " + string.Join(' ', args.Select(a => "\"" + a + "\"")), Folder, TimeSpan.FromMinutes(2));
    }

    /// <summary>Runs a program to its end (killed after <paramref name="timeout"/>) and returns its exit code with stdout and stderr.</summary>
    public static (int ExitCode, string Output) TryRun(string file, string arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        try
        {
            var start = new ProcessStartInfo(file, arguments)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[name] = value;
            }

            using var p = Process.Start(start)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                return (-1, $"{file} {arguments} timed out after {timeout}");
            }

            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"{file} could not be started: {ex.Message}");
        }
    }
}

/// <summary>A test that needs node: required when CI=true (fails there without node), skipped with a reason elsewhere.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (!Node.Available && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "node is not installed: the graphql-js schema check runs where node is (always in CI, where .ci/run installs it).";
        }
    }
}
