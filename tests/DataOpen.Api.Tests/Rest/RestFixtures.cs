using System.Text;
using DataOpen.Api.Publishing;
using DataOpen.Api.Tests.Infrastructure;
using DataOpen.Core.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace DataOpen.Api.Tests.Rest;

/// <summary>Datasets the REST tests publish once per test run on the shared factory.</summary>
public static class RestFixtures
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, string> Published = [];

    public static readonly FieldSpec[] TrickyFields =
    [
        new("id", Type: "integer"), new("name", Type: "text"), new("flag", Type: "boolean"), new("amount", Type: "decimal"),
        new("ratio", Type: "double"), new("at", Type: "timestamp"), new("day", Type: "date"),
    ];

    /// <summary>Values that CSV writers get wrong: commas, quotes, newlines, empty text, Chinese, fractional seconds, extreme doubles.</summary>
    public const string TrickyCsv =
        "id,name,flag,amount,ratio,at,day\n" +
        "1,\"a,b\",true,12.50,0.1,2024-01-01T08:00:00+08:00,2024-01-01\n" +
        "2,\"say \"\"hi\"\"\",false,-3,1e20,2024-06-30T23:59:59.5+08:00,2024-06-30\n" +
        "3,\"line1\nline2\",,0.001,1e-7,2024-02-29T00:00:00Z,\n" +
        "4,,true,,,,2024-03-01\n" +
        "5,长春 新区,false,100,-2.5,2024-01-01T12:00:00+08:00,2024-12-31\n" +
        "6,\"cr\r\nlf\",true,1234567.891,123456789012345680000,2023-12-31T16:00:00Z,2024-01-02\n" +
        "7,\\.,false,0,0,2024-05-05T05:05:05.123456+08:00,2024-05-05\n";

    public static Task<string> TrickyAsync(DataOpenFactory factory) => EnsureAsync(factory, "tricky", async id =>
    {
        var def = TestDatasets.Definition(id, fields: TrickyFields, title: "棘手数据");
        var folder = TestFolders.New("ds");
        var source = Path.Combine(folder, "data.csv");
        await File.WriteAllTextAsync(source, TrickyCsv, new UTF8Encoding(false));
        return (def, source);
    });

    /// <summary>25,000 rows (id 1…25000) for deep paging.</summary>
    public static Task<string> PagingAsync(DataOpenFactory factory) => EnsureAsync(factory, "paging", id =>
    {
        var def = TestDatasets.Definition(id);
        var folder = TestDatasets.WriteCsvFolder(def, 25_000);
        return Task.FromResult((def, Path.Combine(folder, "data.csv")));
    });

    public static async Task<PublishResult> PublishAsync(DataOpenFactory factory, DatasetDefinition def, string source)
    {
        await TestDatasets.EnsureReferencesAsync(factory.Database);
        var result = await factory.Services.GetRequiredService<DatasetPublisher>().PublishAsync(def, source, "test", null, CancellationToken.None);
        Assert.True(result.Status == PublishStatus.Published, $"publish of {def.Identifier}: {result.Status} {string.Join("; ", result.Report?.RejectedValues.Select(r => $"{r.Column}@{r.Row}: {r.Reason}") ?? [])}");
        return result;
    }

    private static async Task<string> EnsureAsync(DataOpenFactory factory, string kind, Func<string, Task<(DatasetDefinition Def, string Source)>> make)
    {
        await Gate.WaitAsync();
        try
        {
            var key = kind + "@" + factory.DataDirectory;
            if (Published.TryGetValue(key, out var id))
            {
                return id;
            }

            id = TestDatasets.NewIdentifier("t-" + kind);
            var (def, source) = await make(id);
            await PublishAsync(factory, def, source);
            Published[key] = id;
            return id;
        }
        finally
        {
            Gate.Release();
        }
    }
}
