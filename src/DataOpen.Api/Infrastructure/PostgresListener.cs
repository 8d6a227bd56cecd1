using Npgsql;

namespace DataOpen.Api.Infrastructure;

/// <summary>
/// LISTENs on one PostgreSQL channel for changes made by other instances, reconnecting after a lost
/// connection. Subclasses say what a notification means and what to catch up on once listening
/// (a change may have happened before LISTEN took effect).
/// </summary>
public abstract class PostgresListener(Database database, string channel, ILogger logger) : BackgroundService
{
    protected abstract void OnNotification(string payload);

    protected abstract Task OnListeningAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!database.IsReady)
            {
                await Task.Delay(200, stoppingToken);
                continue;
            }

            try
            {
                await using var conn = await database.Writer.OpenConnectionAsync(stoppingToken);
                conn.Notification += (_, e) => OnNotification(e.Payload);
                await using (var cmd = new NpgsqlCommand($"LISTEN {channel}", conn))
                {
                    await cmd.ExecuteNonQueryAsync(stoppingToken);
                }

                await OnListeningAsync(stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await conn.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning(ex, "Listener on {Channel} lost its connection; retrying", channel);
                await Task.Delay(1000, stoppingToken);
            }
        }
    }
}
