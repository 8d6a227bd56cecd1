using System.Diagnostics;

namespace DataOpen.Api.Tests.GraphQL;

/// <summary>
/// Counts the SQL statements Npgsql runs for requests carrying this counter's trace id (W3C traceparent):
/// ASP.NET Core continues the trace, Npgsql's command activities inherit it, so statements of other
/// tests running in parallel are not counted.
/// </summary>
public sealed class SqlStatementCounter : IDisposable
{
    private readonly ActivityListener listener;
    private readonly ActivityTraceId traceId = ActivityTraceId.CreateRandom();
    private readonly List<string> statements = [];

    public SqlStatementCounter()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.Source.Name == "Npgsql" && a.TraceId == traceId)
                {
                    var text = a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement");
                    if (text is not null)
                    {
                        lock (statements)
                        {
                            statements.Add(text.ToString()!);
                        }
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    public string TraceParent => $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01";

    public IReadOnlyList<string> Statements
    {
        get
        {
            lock (statements)
            {
                return [.. statements];
            }
        }
    }

    public void Reset()
    {
        lock (statements)
        {
            statements.Clear();
        }
    }

    public void Dispose() => listener.Dispose();
}
