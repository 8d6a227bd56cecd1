using System.Net;
using DataOpen.Testing;

namespace DataOpen.Api.Tests.Resilience;

/// <summary>The embedded cluster has one owner: two real processes on one cluster folder, or on one port.</summary>
public sealed class OwnershipTests
{
    [Fact]
    public async Task A_second_start_on_the_same_folder_or_port_exits_with_one_line_and_the_first_keeps_its_cluster()
    {
        var folder = Path.Combine(Path.GetTempPath(), "dataopen-owner-" + Guid.NewGuid().ToString("N")[..10]);
        var other = Path.Combine(Path.GetTempPath(), "dataopen-owner-" + Guid.NewGuid().ToString("N")[..10]);
        var settings = new Dictionary<string, string>
        {
            ["DataOpen__DataDirectory"] = folder,
            ["DataOpen__EphemeralDatabase"] = "true",
            ["DataOpen__SeedOnStart"] = "false",
        };
        var first = ApiProcess.Start(ApiProcess.FreePort(), settings);
        try
        {
            await first.WaitReadyAsync(ApiProcess.StartTimeout);
            var pid = File.ReadAllLines(Path.Combine(folder, "postmaster.pid"));
            var (postgresPid, postgresPort) = (pid[0], pid[3]);

            // Same folder, its own free port.
            await using (var second = ApiProcess.Start(ApiProcess.FreePort(), settings))
            {
                Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                var line = Assert.Single(second.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                Assert.StartsWith("DataOpen cannot start:", line, StringComparison.Ordinal);
                Assert.Contains($"process {first.Id}", line, StringComparison.Ordinal);
                Assert.Contains($"127.0.0.1:{postgresPort}", line, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", second.StandardOutput, StringComparison.Ordinal);
            }

            // Its own folder, the first one's port: leaves before making any cluster.
            await using (var third = ApiProcess.Start(first.Port, new Dictionary<string, string>(settings) { ["DataOpen__DataDirectory"] = other }))
            {
                Assert.Equal(1, await third.WaitForExitAsync(TimeSpan.FromSeconds(60)));
                var line = Assert.Single(third.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                Assert.Equal($"DataOpen cannot start: http://127.0.0.1:{first.Port} is taken by process {first.Id}", line[..line.IndexOf(" (", StringComparison.Ordinal)]);
                Assert.False(Directory.Exists(other));
            }

            // The first instance's server was never touched: same postmaster, still answering.
            Assert.Equal(postgresPid, File.ReadAllLines(Path.Combine(folder, "postmaster.pid"))[0]);
            using var client = new HttpClient { BaseAddress = first.BaseAddress };
            using var ready = await client.GetAsync("health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Its graceful stop removed its ephemeral cluster.
        for (var i = 0; i < 50 && Directory.Exists(folder); i++)
        {
            await Task.Delay(200);
        }

        Assert.False(Directory.Exists(folder));
    }
}
