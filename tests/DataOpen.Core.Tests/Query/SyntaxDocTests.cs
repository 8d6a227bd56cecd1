using DataOpen.Core.Query;
using DataOpen.Core.Query.Rest;

namespace DataOpen.Core.Tests.Query;

/// <summary>Keeps FILTER-SYNTAX.md honest: every operator, function and reserved parameter must be documented.</summary>
public class SyntaxDocTests
{
    private static string ReadDoc()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "src", "DataOpen.Core", "Query", "FILTER-SYNTAX.md")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return File.ReadAllText(Path.Combine(dir.FullName, "src", "DataOpen.Core", "Query", "FILTER-SYNTAX.md"));
    }

    [Fact]
    public void Every_operator_function_aggregate_and_parameter_is_documented()
    {
        var doc = ReadDoc();
        var names = RestQueryParser.FieldOperators.Select(o => "[" + o.Key + "]")
            .Concat(Operators.Functions.Keys.Select(f => f + "("))
            .Concat(Operators.Aggregates.Values.Select(a => a.Key + "("))
            .Concat(Operators.Comparisons.Values.Select(c => "'" + c.Key + "'"))
            .Concat(Operators.ArithmeticOperators.Values.Select(a => "'" + a.Key + "'"))
            .Concat(RestQueryParser.ReservedParameters.Select(p => "`" + p + "`"));
        var missing = names.Where(n => !doc.Contains(n, StringComparison.Ordinal)).ToArray();
        Assert.Empty(missing);
    }
}
