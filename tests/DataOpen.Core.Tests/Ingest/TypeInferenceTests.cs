using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;

namespace DataOpen.Core.Tests.Ingest;

public sealed class TypeInferenceTests
{
    [Theory]
    [InlineData(FieldType.Boolean, "true", "FALSE", "是", "否", "yes", "No")]
    [InlineData(FieldType.Integer, "0", "1", "1", "0")]
    [InlineData(FieldType.Integer, "-5", "+7", "2147483647", "-2147483648")]
    [InlineData(FieldType.BigInt, "1", "2147483648")]
    [InlineData(FieldType.BigInt, "220101199001011234", "9223372036854775807")]
    [InlineData(FieldType.Decimal, "1", "2.50", "-0.001")]
    [InlineData(FieldType.Decimal, "9223372036854775808")]
    [InlineData(FieldType.Double, "1.5e3", "2")]
    [InlineData(FieldType.Double, "1.2345678901234567890123456789012")]
    [InlineData(FieldType.Date, "2023-01-05", "2023/1/6", "2023年1月7日")]
    [InlineData(FieldType.Date, "2023-02-30", "2023-03-01")]
    [InlineData(FieldType.Timestamp, "2023-01-05 10:00", "2023-01-05T10:00:00+08:00", "2023-01-05T02:00:00.123Z")]
    [InlineData(FieldType.Timestamp, "2023-01-05", "2023-01-05 10:00:30")]
    [InlineData(FieldType.Text, "1,234", "5")]
    [InlineData(FieldType.Text, "007", "12")]
    [InlineData(FieldType.Text, "abc", "1")]
    [InlineData(FieldType.Text, "1", "true")]
    [InlineData(FieldType.Text, "2023-01-05", "12")]
    [InlineData(FieldType.Text, "NaN", "1")]
    [InlineData(FieldType.Text, "", " ", "NULL", "N/A")]
    [InlineData(FieldType.Integer, "", "12", "NULL", " 13 ", "\\N")]
    public void Column_values_infer_the_narrowest_type_they_all_fit(FieldType expected, params string[] values)
    {
        Assert.Equal(expected, TypeInference.InferType(values));
    }

    [Fact]
    public void A_column_with_no_values_at_all_is_text()
    {
        Assert.Equal(FieldType.Text, TypeInference.InferType([]));
    }

    [Fact]
    public void A_dash_is_a_value_not_a_null_unless_configured()
    {
        Assert.Equal(FieldType.Text, TypeInference.InferType(["1", "-"]));
        Assert.Equal(FieldType.Integer, TypeInference.InferType(["1", "-"], new IngestOptions { NullMarkers = ["-"] }));
    }

    [Theory]
    [InlineData(FieldType.Integer, "42", 42)]
    [InlineData(FieldType.BigInt, "-9000000000", -9000000000L)]
    [InlineData(FieldType.Double, "1.5e3", 1500.0)]
    [InlineData(FieldType.Boolean, "是", true)]
    [InlineData(FieldType.Boolean, "0", false)]
    [InlineData(FieldType.Text, " keep spaces ", " keep spaces ")]
    public void Values_convert_to_their_column_type(FieldType type, string text, object expected)
    {
        Assert.True(FieldValueParser.TryParse(type, text, TimeSpan.FromHours(8), out var value, out var reason), reason);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("+007", 7L)]
    public void Bigints_convert_across_their_whole_range(string text, long expected)
    {
        Assert.True(FieldValueParser.TryParse(FieldType.BigInt, text, TimeSpan.Zero, out var value, out var reason), reason);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("0.50", "0.50")]
    [InlineData("-0.001", "-0.001")]
    [InlineData(".5", "0.5")]
    [InlineData("123456789012345678", "123456789012345678")]
    [InlineData("1234567890.12345678901234", "1234567890.12345678901234")]
    [InlineData("1.5e2", "150")]
    public void Decimals_keep_their_digits_and_scale(string text, string expected)
    {
        Assert.True(FieldValueParser.TryParse(FieldType.Decimal, text, TimeSpan.Zero, out var value, out var reason), reason);
        Assert.Equal(expected, ((decimal)value!).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Decimals_convert_exactly()
    {
        Assert.True(FieldValueParser.TryParse(FieldType.Decimal, "12345678901234567890.12345678", TimeSpan.Zero, out var value, out _));
        Assert.Equal(12345678901234567890.12345678m, value);
    }

    [Theory]
    [InlineData("2023-01-05", 2023, 1, 5)]
    [InlineData("2023/1/5", 2023, 1, 5)]
    [InlineData("2024年2月29日", 2024, 2, 29)]
    public void Dates_convert_from_iso_slash_and_chinese_forms(string text, int year, int month, int day)
    {
        Assert.True(FieldValueParser.TryParse(FieldType.Date, text, TimeSpan.Zero, out var value, out var reason), reason);
        Assert.Equal(new DateOnly(year, month, day), value);
    }

    [Theory]
    [InlineData("2023-01-05 10:00", "2023-01-05T02:00:00.0000000Z")]
    [InlineData("2023-01-05T10:00:30", "2023-01-05T02:00:30.0000000Z")]
    [InlineData("2023-01-05T10:00:30.25+09:00", "2023-01-05T01:00:30.2500000Z")]
    [InlineData("2023-01-05 10:00:00Z", "2023-01-05T10:00:00.0000000Z")]
    [InlineData("2023-01-05T10:00:00-0130", "2023-01-05T11:30:00.0000000Z")]
    [InlineData("2023/1/5 9:05", "2023-01-05T01:05:00.0000000Z")]
    [InlineData("2023-01-05", "2023-01-04T16:00:00.0000000Z")]
    public void Timestamps_without_offset_are_read_in_the_dataset_time_zone_and_stored_as_utc(string text, string expectedUtc)
    {
        Assert.True(FieldValueParser.TryParse(FieldType.Timestamp, text, TimeSpan.FromHours(8), out var value, out var reason), reason);
        var instant = Assert.IsType<DateTime>(value);
        Assert.Equal(DateTimeKind.Utc, instant.Kind);
        Assert.Equal(expectedUtc, instant.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(FieldType.Integer, "abc", "not an integer")]
    [InlineData(FieldType.Integer, "12.5", "not an integer")]
    [InlineData(FieldType.Integer, "2147483648", "value out of range for integer")]
    [InlineData(FieldType.BigInt, "99999999999999999999", "value out of range for bigint")]
    [InlineData(FieldType.BigInt, "-9223372036854775809", "value out of range for bigint")]
    [InlineData(FieldType.Integer, "-2147483649", "value out of range for integer")]
    [InlineData(FieldType.Integer, " ", "not an integer")]
    [InlineData(FieldType.Integer, "-", "not an integer")]
    [InlineData(FieldType.Integer, "1,234", "thousands separator not allowed (write 1234, not 1,234)")]
    [InlineData(FieldType.Decimal, "1,234.5", "thousands separator not allowed (write 1234, not 1,234)")]
    [InlineData(FieldType.Double, "-12,345,678", "thousands separator not allowed (write 1234, not 1,234)")]
    [InlineData(FieldType.Decimal, "1.2345678901234567890123456789012", "more than 28 significant digits for a decimal (declare the column double)")]
    [InlineData(FieldType.Double, "1e999", "value out of range for double")]
    [InlineData(FieldType.Double, "1,2", "thousands separator not allowed (write 1234, not 1,234)")]
    [InlineData(FieldType.Decimal, "12a", "not a number")]
    [InlineData(FieldType.Boolean, "maybe", "not a boolean (true/false, yes/no, 是/否, 1/0)")]
    [InlineData(FieldType.Date, "2023-02-30", "invalid date 2023-02-30")]
    [InlineData(FieldType.Date, "2023-13-01", "invalid date 2023-13-01")]
    [InlineData(FieldType.Date, "05/01/2023", "not a date (expected yyyy-MM-dd, yyyy/MM/dd or yyyy年M月d日)")]
    [InlineData(FieldType.Timestamp, "2023-01-05 25:00", "invalid timestamp 2023-01-05 25:00")]
    [InlineData(FieldType.Timestamp, "yesterday", "not a timestamp (expected yyyy-MM-dd HH:mm[:ss], ISO 8601 with optional offset)")]
    public void Values_that_do_not_fit_their_type_are_rejected_with_a_reason(FieldType type, string text, string expectedReason)
    {
        Assert.False(FieldValueParser.TryParse(type, text, TimeSpan.Zero, out var value, out var reason));
        Assert.Null(value);
        Assert.Equal(expectedReason, reason);
    }

    [Fact]
    public void A_declared_format_reads_non_iso_dates()
    {
        Assert.True(FieldValueParser.TryParse(FieldType.Date, "05.01.2023", TimeSpan.Zero, out var value, out _, "dd.MM.yyyy"));
        Assert.Equal(new DateOnly(2023, 1, 5), value);
        Assert.False(FieldValueParser.TryParse(FieldType.Date, "2023-01-05", TimeSpan.Zero, out _, out var reason, "dd.MM.yyyy"));
        Assert.Equal("not a date in the format dd.MM.yyyy", reason);
    }
}
