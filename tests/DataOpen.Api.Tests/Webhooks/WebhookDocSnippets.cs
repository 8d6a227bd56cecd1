using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataOpen.Api.Infrastructure;

namespace DataOpen.Api.Tests.Webhooks;

/// <summary>
/// Runs the signature verifiers that docs/feeds.md prints (Python with python3, Node with node) on a real delivery:
/// each must accept it as received and refuse it with one byte of the body changed.
/// </summary>
public static partial class WebhookDocSnippets
{
    private const string PythonHarness = """

        import json, sys
        headers = json.load(open(sys.argv[1], encoding="utf-8"))
        body = open(sys.argv[2], "rb").read()
        verify(sys.argv[3], headers, body)
        try:
            verify(sys.argv[3], headers, body + b" ")
        except ValueError:
            print("verified")
            sys.exit(0)
        print("a tampered body was accepted")
        sys.exit(2)
        """;

    private const string NodeHarness = """

        const fs = require("node:fs");
        const headers = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
        const body = fs.readFileSync(process.argv[3]);
        verify(process.argv[4], headers, body);
        let tampered = true;
        try { verify(process.argv[4], headers, Buffer.concat([body, Buffer.from(" ")])); } catch { tampered = false; }
        if (tampered) { console.log("a tampered body was accepted"); process.exit(2); }
        console.log("verified");
        """;

    public static async Task AssertVerifiesAsync(string secret, ReceivedHook hook)
    {
        var dir = Directory.CreateTempSubdirectory("dataopen-hook-");
        try
        {
            var headers = Path.Combine(dir.FullName, "headers.json");
            var body = Path.Combine(dir.FullName, "body.json");
            await File.WriteAllTextAsync(headers, JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["webhook-id"] = hook.Headers["webhook-id"].ToString(),
                ["webhook-timestamp"] = hook.Headers["webhook-timestamp"].ToString(),
                ["webhook-signature"] = hook.Headers["webhook-signature"].ToString(),
            }));
            await File.WriteAllBytesAsync(body, System.Text.Encoding.UTF8.GetBytes(hook.Body));
            var python = Path.Combine(dir.FullName, "verify.py");
            await File.WriteAllTextAsync(python, Snippet("python", "def verify(") + PythonHarness);
            await RunAsync("python3", [python, headers, body, secret]);
            var node = Path.Combine(dir.FullName, "verify.js");
            await File.WriteAllTextAsync(node, Snippet("js", "function verify(") + NodeHarness);
            await RunAsync("node", [node, headers, body, secret]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Snippet(string language, string marker)
    {
        var page = File.ReadAllText(Path.Combine(RepoPaths.RepositoryRoot!, "docs", "feeds.md"));
        return Assert.Single(CodeBlock().Matches(page), m => m.Groups[1].Value == language && m.Groups[2].Value.Contains(marker, StringComparison.Ordinal)).Groups[2].Value;
    }

    private static async Task RunAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0 && (await output).Trim() == "verified", $"{program}: exit {process.ExitCode}: {await output} {await error}");
    }

    [GeneratedRegex(@"^```(\w+)\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CodeBlock();
}
