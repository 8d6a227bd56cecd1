using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;

namespace DataOpen.Core.Tests.Ingest;

public sealed class ValidationTests : IDisposable
{
    private readonly TempFiles files = new();

    public void Dispose() => files.Dispose();

    internal static DatasetDefinition Dataset(string file, IReadOnlyList<FieldSpec>? fields = null, string? timeZone = null, string? format = null) => new(
        "test-dataset",
        new Localized("测试"),
        new Localized("测试数据"),
        "ccxq",
        new Dictionary<string, IReadOnlyList<string>> { ["theme"] = ["economy"] },
        new LocalizedList(["测试"]),
        OpenClasses.Unconditional,
        "monthly",
        "2024-01-01",
        "cc-by-4.0",
        "general",
        new SourceSpec(file, Format: format),
        TimeZone: timeZone,
        Fields: fields);

    private (ColumnPlan Plan, ValidationReport Report) Validate(string content, IReadOnlyList<FieldSpec>? fields = null, IngestOptions? options = null)
    {
        string path = files.Write("data.csv", content);
        return StagingLoader.Validate(path, Dataset("data.csv", fields), options);
    }

    [Fact]
    public void A_clean_file_is_valid_with_inferred_types_and_counts()
    {
        var (plan, report) = Validate("id,name,amount,day,open\n1,a,1.5,2023-01-05,true\n2,,2,2023-01-06,false\n");

        Assert.True(report.IsValid);
        Assert.Equal(2, report.TotalRows);
        Assert.Equal(2, report.AcceptedRows);
        Assert.Equal(
            [FieldType.Integer, FieldType.Text, FieldType.Decimal, FieldType.Date, FieldType.Boolean],
            plan.Columns.Select(c => c.Type));
        Assert.All(report.Columns, c => Assert.Equal(TypeOrigin.Inferred, c.Origin));
        Assert.Equal(1, report.Columns[1].NullCount);
    }

    [Fact]
    public void A_header_only_file_is_valid_with_zero_rows_and_text_columns()
    {
        var (plan, report) = Validate("id,name\n");

        Assert.True(report.IsValid);
        Assert.Equal(0, report.TotalRows);
        Assert.All(plan.Columns, c => Assert.Equal(FieldType.Text, c.Type));
    }

    [Fact]
    public void A_declared_integer_column_rejects_text_with_row_column_and_reason()
    {
        var (plan, report) = Validate(
            "id,count\n1,5\n2,abc\n3,7\n4,x\n",
            [new FieldSpec("count", Type: "integer")]);

        Assert.Equal(TypeOrigin.Declared, plan.Columns[1].Origin);
        Assert.False(report.IsValid);
        Assert.Equal(4, report.TotalRows);
        Assert.Equal(2, report.AcceptedRows);
        Assert.Equal(2, report.RejectedValueCount);
        Assert.Equal(
            [new RejectedValue(3, "count", "abc", "not an integer"), new RejectedValue(5, "count", "x", "not an integer")],
            report.RejectedValues);
    }

    [Fact]
    public void Invalid_dates_are_rejected_while_the_column_stays_a_date()
    {
        var (plan, report) = Validate("id,day\n1,2023-02-28\n2,2023-02-30\n");

        Assert.Equal(FieldType.Date, plan.Columns[1].Type);
        Assert.Equal([new RejectedValue(3, "day", "2023-02-30", "invalid date 2023-02-30")], report.RejectedValues);
    }

    [Fact]
    public void Thousands_separators_make_an_inferred_column_text_and_a_declared_one_reject()
    {
        const string content = "id,amount\n1,\"1,234\"\n2,56\n";

        var (inferred, inferredReport) = Validate(content);
        var (_, declaredReport) = Validate(content, [new FieldSpec("amount", Type: "decimal")]);

        Assert.Equal(FieldType.Text, inferred.Columns[1].Type);
        Assert.True(inferredReport.IsValid);
        var rejected = Assert.Single(declaredReport.RejectedValues);
        Assert.Equal((2L, "amount", "1,234"), (rejected.Row, rejected.Column, rejected.Value));
        Assert.StartsWith("thousands separator not allowed", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_required_field_rejects_missing_values()
    {
        var (_, report) = Validate("id,name\n1,a\n2,\n", [new FieldSpec("name", Required: true)]);

        Assert.Equal([new RejectedValue(3, "name", "", "required value missing")], report.RejectedValues);
    }

    [Fact]
    public void The_report_keeps_the_first_thousand_rejections_and_counts_them_all()
    {
        var content = new System.Text.StringBuilder("id,n\n");
        for (int i = 1; i <= 1500; i++)
        {
            content.Append(i).Append(",bad").Append(i).Append('\n');
        }

        var (_, report) = Validate(content.ToString(), [new FieldSpec("n", Type: "integer")]);

        Assert.Equal(1500, report.RejectedValueCount);
        Assert.Equal(1000, report.RejectedValues.Count);
        Assert.True(report.IsTruncated);
        Assert.Equal(new RejectedValue(1001, "n", "bad1000", "not an integer"), report.RejectedValues[^1]);
        Assert.Equal(0, report.AcceptedRows);
        Assert.Equal(1500, report.Columns[1].RejectedCount);
    }

    [Fact]
    public void Long_rejected_values_are_cut_to_200_characters()
    {
        string longValue = new('z', 500);

        var (_, report) = Validate($"id,n\n1,{longValue}\n", [new FieldSpec("n", Type: "integer")]);

        Assert.Equal(201, report.RejectedValues[0].Value.Length);
    }

    [Fact]
    public void Chinese_headers_become_generated_names_and_keep_their_title()
    {
        var (plan, _) = Validate("编号,Name,人口数\n1,a,100\n");

        Assert.Equal(["col_1", "name", "col_3"], plan.Columns.Select(c => c.Name));
        Assert.Equal(["编号", null, "人口数"], plan.Columns.Select(c => c.TitleZh));
    }

    [Fact]
    public void Fields_map_source_headers_to_names_and_declared_types_win()
    {
        var (plan, report) = Validate(
            "编号,人口数,备注\n1,100,x\n2,200,y\n",
            [new FieldSpec("id", Source: "编号", Type: "bigint"), new FieldSpec("population", Source: "人口数", Title: new Localized("人口数量"))]);

        Assert.Equal(["id", "population", "col_3"], plan.Columns.Select(c => c.Name));
        Assert.Equal([FieldType.BigInt, FieldType.Integer, FieldType.Text], plan.Columns.Select(c => c.Type));
        Assert.Equal([TypeOrigin.Declared, TypeOrigin.Inferred, TypeOrigin.Inferred], plan.Columns.Select(c => c.Origin));
        Assert.Equal("人口数量", plan.ToFieldInfos()[1].TitleZh);
        Assert.True(report.IsValid);
    }

    [Fact]
    public void A_field_naming_a_missing_header_is_an_error()
    {
        var error = Assert.Throws<IngestException>(() => Validate("id,name\n1,a\n", [new FieldSpec("population", Source: "人口数")]));

        Assert.Equal(IngestProblem.UnknownField, error.Problem);
        Assert.Equal("population", error.Column);
    }

    [Fact]
    public void Two_headers_that_lower_case_to_the_same_name_are_an_error()
    {
        var error = Assert.Throws<IngestException>(() => Validate("Id,ID\n1,2\n"));

        Assert.Equal(IngestProblem.DuplicateColumnName, error.Problem);
    }

    [Fact]
    public void The_create_table_statement_has_the_row_id_and_typed_columns()
    {
        var (plan, _) = Validate(
            "id,名称,amount,at\n1,a,1.5,2023-01-05 10:00\n",
            [new FieldSpec("id", Required: true)]);

        Assert.Equal(
            "CREATE TABLE \"data\".\"t\" (\"_row_id\" bigint NOT NULL, \"id\" integer NOT NULL, \"col_2\" text, \"amount\" numeric, \"at\" timestamptz)",
            plan.CreateTableSql("\"data\".\"t\""));
        Assert.Equal(
            "COPY \"data\".\"t\" (\"_row_id\", \"id\", \"col_2\", \"amount\", \"at\") FROM STDIN (FORMAT BINARY)",
            plan.CopySql("\"data\".\"t\""));
    }

    [Fact]
    public void A_plan_with_pending_types_cannot_be_loaded()
    {
        var plan = ColumnPlan.Create(["id"], (IReadOnlyList<FieldSpec>?)null, TimeSpan.Zero);

        Assert.False(plan.IsResolved);
        Assert.Throws<InvalidOperationException>(() => plan.CreateTableSql("t"));
    }

    [Fact]
    public void Validating_a_large_file_allocates_far_less_than_the_file()
    {
        string path = files.PathOf("large.csv");
        using (var writer = new StreamWriter(path))
        {
            writer.Write("id,name,amount,day\n");
            for (int i = 1; i <= 300_000; i++)
            {
                writer.Write($"{i},名称{i % 977}号,{i % 10000}.25,2023-01-{(i % 28) + 1:00}\n");
            }
        }

        long fileBytes = new FileInfo(path).Length;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var (_, report) = StagingLoader.Validate(path, Dataset("large.csv"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(300_000, report.TotalRows);
        Assert.True(report.IsValid);
        // Two passes over the file; a string per value would allocate several times the file size.
        Assert.True(allocated < fileBytes / 2, $"allocated {allocated} bytes for a {fileBytes}-byte file");
    }

    [Fact]
    public void Validation_honours_cancellation()
    {
        string path = files.Write("data.csv", "id\n1\n2\n");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => StagingLoader.Validate(path, Dataset("data.csv"), cancellationToken: cancelled.Token));
    }
}
