using DataOpen.Core.Ingest;

namespace DataOpen.Core.Tests.Ingest;

public sealed class PgBinaryCopyWriterTests
{
    private static byte[] Encode(Action<PgBinaryCopyWriter> write, bool complete = false)
    {
        using var stream = new MemoryStream();
        var writer = new PgBinaryCopyWriter(stream);
        write(writer);
        if (complete)
        {
            writer.Complete();
        }
        else
        {
            writer.Flush();
        }

        return stream.ToArray()[19..];
    }

    [Fact]
    public void The_stream_starts_with_the_copy_signature_and_ends_with_the_trailer()
    {
        using var stream = new MemoryStream();
        var writer = new PgBinaryCopyWriter(stream);
        writer.Complete();

        Assert.Equal(
            [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', 0x0A, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF],
            stream.ToArray());
    }

    [Fact]
    public void A_row_is_a_field_count_then_length_prefixed_values()
    {
        var bytes = Encode(w =>
        {
            w.StartRow(3);
            w.Write(7L);
            w.WriteNull();
            w.Write(true);
        });

        Assert.Equal([0, 3, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 1], bytes);
    }

    [Fact]
    public void Dates_and_timestamps_count_from_2000()
    {
        Assert.Equal([0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF], Encode(w => w.Write(new DateOnly(1999, 12, 31))));
        Assert.Equal([0, 0, 0, 8, 0, 0, 0, 0, 0, 0x0F, 0x42, 0x40], Encode(w => w.WriteTimestamp(new DateTime(2000, 1, 1, 0, 0, 1, DateTimeKind.Utc))));
    }

    [Fact]
    public void Text_is_utf8()
    {
        Assert.Equal([0, 0, 0, 4, (byte)'a', 0xE9, 0x95, 0xBF], Encode(w => w.WriteText("a长")));
    }

    [Fact]
    public void Text_larger_than_the_buffer_is_written_whole()
    {
        string big = new('z', 200_000);

        var bytes = Encode(w => w.WriteText(big));

        Assert.Equal(200_004, bytes.Length);
        Assert.Equal([0, 3, 0x0D, 0x40], bytes[..4]);
        Assert.All(bytes[4..], b => Assert.Equal((byte)'z', b));
    }

    [Theory]
    // ndigits, weight, sign, dscale, then base-10000 digits.
    [InlineData("79229.60", new short[] { 3, 1, 0, 2, 7, 9229, 6000 })]
    [InlineData("0", new short[] { 0, 0, 0, 0 })]
    [InlineData("-0.00", new short[] { 0, 0, 0, 2 })]
    [InlineData("-0.0001", new short[] { 1, -1, 0x4000, 4, 1 })]
    [InlineData("10000", new short[] { 1, 1, 0, 0, 1 })]
    [InlineData("0.000000000000000000000000001", new short[] { 1, -7, 0, 27, 10 })]
    [InlineData("-99999999.99990000", new short[] { 3, 1, 0x4000, 8, 9999, 9999, 9999 })]
    [InlineData("9999999999999999999999999999", new short[] { 7, 6, 0, 0, 9999, 9999, 9999, 9999, 9999, 9999, 9999 })]
    public void Numerics_are_base_10000_digits_around_the_decimal_point(string value, short[] expected)
    {
        var bytes = Encode(w => w.Write(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(4 + (2 * expected.Length), bytes.Length);
        Assert.Equal(2 * expected.Length, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes));
        var words = Enumerable.Range(0, expected.Length).Select(i => System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(4 + (2 * i)))).ToArray();
        Assert.Equal(expected, words);
    }
}
