using System.Text;
using DataOpen.SampleData;

// Usage: dotnet run --project tools/DataOpen.SampleData -- <repo-root> [--check]
// Writes datasets/ and seeds/ under <repo-root>; with --check, generates into a temporary folder and
// exits 1 when the committed files differ (the lead's test runs this).
Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

var check = args.Contains("--check", StringComparer.Ordinal);
var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
if (positional.Count != 1 || args.Length - positional.Count > (check ? 1 : 0))
{
    Console.Error.WriteLine("Usage: DataOpen.SampleData <repo-root> [--check]");
    return 2;
}
var repoRoot = Path.GetFullPath(positional[0]);
var schemaPath = Path.Combine(repoRoot, "src", "DataOpen.Core", "Catalog", "dataset.schema.json");
if (!File.Exists(schemaPath))
{
    Console.Error.WriteLine($"{repoRoot} is not the DataOpen repository root: {schemaPath} does not exist.");
    return 2;
}

var selfCheck = Generator.SelfCheck();
if (selfCheck.Count > 0)
{
    selfCheck.ForEach(Console.Error.WriteLine);
    return 1;
}

var outRoot = check ? Directory.CreateTempSubdirectory("dataopen-sampledata-").FullName : repoRoot;
try
{
    var output = new Output(outRoot);
    var datasets = Generator.Run(output);
    var problems = Generator.CrossCheck(datasets);
    problems.AddRange(Generator.ValidateAgainstSchema(outRoot, schemaPath, datasets));
    if (problems.Count > 0)
    {
        Console.Error.WriteLine($"{problems.Count} problem(s) in the generated catalog:");
        problems.ForEach(p => Console.Error.WriteLine("  " + p));
        return 1;
    }
    if (check)
    {
        var drift = Generator.Compare(outRoot, repoRoot, output.Written);
        if (drift.Count > 0)
        {
            Console.Error.WriteLine("Committed sample data differs from the generator's output (run the generator without --check and commit):");
            drift.ForEach(d => Console.Error.WriteLine("  " + d));
            return 1;
        }
        Console.WriteLine($"OK: {output.Written.Count} files under datasets/ and seeds/ match the generator.");
    }
    else
    {
        Generator.RemoveStale(repoRoot, output.Written).ForEach(f => Console.WriteLine($"removed stale {f}"));
        foreach (var d in datasets)
        {
            Console.WriteLine($"{d.Definition.Identifier,-32} {d.Rows,8:N0} rows  {d.Data.Length,10:N0} bytes  {d.FormatNote}");
        }
        Console.WriteLine($"Wrote {output.Written.Count} files under {repoRoot}.");
    }
    return 0;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"Cannot write the sample data under {outRoot}: {e.Message}");
    return 1;
}
finally
{
    if (check)
    {
        Directory.Delete(outRoot, recursive: true);
    }
}
