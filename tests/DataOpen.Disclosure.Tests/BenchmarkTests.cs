using DataOpen.Disclosure.Suppression;

namespace DataOpen.Disclosure.Tests;

public class BenchmarkTests
{
    [Fact]
    public void Benchmark_hook_protects_a_random_500_cell_table_and_the_audit_passes()
    {
        var result = DisclosureBenchmark.Run(500);

        Assert.InRange(result.Cells, 400, 600);
        Assert.True(result.PrimaryCells > 0);
        Assert.True(result.SuppressedCells > result.PrimaryCells);
        Assert.True(result.AuditPassed);
    }
}
