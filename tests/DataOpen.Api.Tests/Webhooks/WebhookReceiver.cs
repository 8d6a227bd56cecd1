using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataOpen.Api.Tests.Webhooks;

/// <summary>One request the receiver got: its headers and body as sent.</summary>
public sealed record ReceivedHook(IHeaderDictionary Headers, string Body, DateTimeOffset At);

/// <summary>
/// A real HTTP receiver: Kestrel on 127.0.0.1 with a port of its own. It answers each request with the next status
/// of <see cref="Statuses"/> (then <see cref="DefaultStatus"/>) and keeps every request it got.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;

    private WebhookReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<int> Statuses { get; } = new();

    public int DefaultStatus { get; set; } = 200;

    public ConcurrentQueue<ReceivedHook> Received { get; } = new();

    /// <summary>When set, each request is recorded at once but answered only after this task completes.</summary>
    public Task? Hold { get; set; }

    public string Url { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Received.Enqueue(new ReceivedHook(new HeaderDictionary(http.Request.Headers.ToDictionary(h => h.Key, h => h.Value)), body, DateTimeOffset.UtcNow));
            if (receiver.Hold is { } hold)
            {
                await hold;
            }

            return Results.StatusCode(receiver.Statuses.TryDequeue(out var status) ? status : receiver.DefaultStatus);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = address.TrimEnd('/') + "/hook";
        return receiver;
    }

    /// <summary>Waits until <paramref name="count"/> requests arrived (or the time is up).</summary>
    public async Task<IReadOnlyList<ReceivedHook>> WaitForAsync(int count, TimeSpan timeout)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        while (Received.Count < count && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(50);
        }

        return [.. Received];
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
