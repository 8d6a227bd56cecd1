using System.Text;
using DataOpen.SampleData;

namespace DataOpen.Core.Tests;

/// <summary>The committed sample catalog is exactly what the deterministic generator writes.</summary>
public sealed class SampleDataTests
{
    [Fact]
    public void Committed_datasets_and_seeds_match_the_generator_byte_for_byte()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var repo = FindRepoRoot();
        var temp = Directory.CreateTempSubdirectory("dataopen-sampledata-test-").FullName;
        try
        {
            Assert.Empty(Generator.SelfCheck());
            var output = new Output(temp);
            var datasets = Generator.Run(output);
            var problems = Generator.CrossCheck(datasets);
            problems.AddRange(Generator.ValidateAgainstSchema(temp, Path.Combine(repo, "src", "DataOpen.Core", "Catalog", "dataset.schema.json"), datasets));
            Assert.Empty(problems);
            var drift = Generator.Compare(temp, repo, output.Written);
            Assert.True(drift.Count == 0, "Run `dotnet run --project tools/DataOpen.SampleData -- .` and commit: " + string.Join("; ", drift));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public void Every_enterprise_credit_code_in_the_sample_is_valid_and_a_changed_character_is_caught()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var path = Path.Combine(FindRepoRoot(), "datasets", "digital-real-enterprises", "enterprises.csv");
        var lines = File.ReadAllLines(path, Encoding.GetEncoding("GB18030")).Skip(1).ToList();
        Assert.True(lines.Count >= 1000);
        var codes = lines.Select(l => l.Split(',').First(f => f.Length == 18 && f.All(char.IsAsciiLetterOrDigit))).ToList();
        Assert.All(codes, c => Assert.True(CreditCode.IsValid(c), c));
        var code = codes[0];
        var swapped = code[..17] + (code[17] == '0' ? '1' : '0');
        Assert.False(CreditCode.IsValid(swapped));
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataOpen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }
}
