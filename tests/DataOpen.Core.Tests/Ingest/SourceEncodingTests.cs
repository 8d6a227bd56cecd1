using DataOpen.Core.Catalog;
using DataOpen.Core.Ingest;

namespace DataOpen.Core.Tests.Ingest;

public sealed class SourceEncodingTests : IDisposable
{
    private readonly TempFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void Pure_ascii_is_utf8()
    {
        string path = files.Write("a.csv", "id,name\n1,abc\n");

        Assert.Equal(SourceEncoding.Utf8, SourceEncoding.Detect(path).Name);
    }

    [Fact]
    public void Chinese_utf8_without_bom_is_utf8()
    {
        string path = files.Write("a.csv", "编号,名称\n1,长春新区\n");

        Assert.Equal(SourceEncoding.Utf8, SourceEncoding.Detect(path).Name);
    }

    [Fact]
    public void Utf8_with_bom_is_detected_and_the_bom_is_not_part_of_the_first_header()
    {
        string path = files.Write("a.csv", "编号,名称\n1,长春新区\n", bom: true);

        Assert.Equal(SourceEncoding.Utf8Bom, SourceEncoding.Detect(path).Name);
        using var rows = RowSource.Open(path, new SourceSpec("a.csv"));
        Assert.Equal("utf-8-bom", rows.Encoding);
        Assert.Equal(["编号", "名称"], rows.Headers);
    }

    [Fact]
    public void Gbk_chinese_text_is_detected_as_gbk_and_decoded()
    {
        string path = files.Write("a.csv", "编号,名称\n1,长春新区管理委员会\n", TempFiles.Gbk);

        Assert.Equal(SourceEncoding.Gbk, SourceEncoding.Detect(path).Name);
        using var rows = RowSource.Open(path, new SourceSpec("a.csv"));
        Assert.Equal(["编号", "名称"], rows.Headers);
        Assert.True(rows.Read());
        Assert.Equal("长春新区管理委员会", rows.GetValue(1).ToString());
    }

    [Theory]
    [InlineData("㐀")]
    [InlineData("𠀀")]
    public void Gb18030_four_byte_characters_make_the_file_gb18030(string rare)
    {
        string path = files.Write("a.csv", $"编号,名称\n1,{rare}字\n", TempFiles.Gb18030);
        var bytes = File.ReadAllBytes(path);
        Assert.Contains(bytes.Select((b, i) => i + 1 < bytes.Length && b >= 0x81 && bytes[i + 1] is >= 0x30 and <= 0x39), x => x);

        Assert.Equal(SourceEncoding.Gb18030, SourceEncoding.Detect(path).Name);
        using var rows = RowSource.Open(path, new SourceSpec("a.csv"));
        Assert.True(rows.Read());
        Assert.Equal($"{rare}字", rows.GetValue(1).ToString());
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("gbk")]
    [InlineData("gb18030")]
    public void Multi_byte_characters_survive_every_read_boundary_of_a_large_file(string encodingName)
    {
        // Rows of varying length push characters across the 64 KiB read and look-ahead boundaries at every offset.
        var encoding = encodingName switch
        {
            "gbk" => TempFiles.Gbk,
            "gb18030" => TempFiles.Gb18030,
            _ => new System.Text.UTF8Encoding(false),
        };
        string rare = encodingName == "gbk" ? "长" : "㐀𠀀";
        var content = new System.Text.StringBuilder("编号,名称\n");
        var expected = new List<string>();
        for (int i = 0; i < 20_000; i++)
        {
            string name = "长春新区" + new string('区', i % 7) + rare + (i % 3 == 0 ? "a" : "");
            expected.Add(name);
            content.Append(i).Append(',').Append(name).Append('\n');
        }

        string path = files.Write("big.csv", content.ToString(), encoding);
        var options = new IngestOptions { MaxFieldBytes = 4096 };

        using var rows = RowSource.Open(path, new SourceSpec("big.csv"), options);
        Assert.Equal(encodingName, rows.Encoding);
        int n = 0;
        while (rows.Read())
        {
            Assert.Equal(expected[n], rows.GetValue(1).ToString());
            n++;
        }

        Assert.Equal(expected.Count, n);
    }

    [Fact]
    public void Detection_reads_only_the_probe_prefix()
    {
        var bytes = new byte[200_000];
        Array.Fill(bytes, (byte)'a');
        using var stream = new MemoryStream(bytes);

        SourceEncoding.Detect(stream, 64 * 1024);

        Assert.Equal(64 * 1024, stream.Position);
    }

    [Fact]
    public void Invalid_utf8_after_an_ascii_prefix_is_reported_with_its_row()
    {
        // The first 16 bytes are ASCII, so detection says utf-8; the GBK text further down must not be garbled silently.
        var bytes = System.Text.Encoding.ASCII.GetBytes("id,name\n1,abcdefgh\n").Concat(TempFiles.Gbk.GetBytes("2,长春\n")).ToArray();
        string path = files.WriteBytes("a.csv", bytes);
        var options = new IngestOptions { EncodingProbeBytes = 16 };

        var error = Assert.Throws<IngestException>(() =>
        {
            using var rows = RowSource.Open(path, new SourceSpec("a.csv"), options);
            while (rows.Read())
            {
            }
        });

        Assert.Equal(IngestProblem.InvalidEncoding, error.Problem);
        Assert.Equal(3, error.Row);
    }

    [Fact]
    public void Bytes_that_are_neither_utf8_nor_gb_are_an_unknown_encoding()
    {
        string path = files.WriteBytes("a.csv", [.. "id,name\n1,"u8, 0x80, 0x80, 0x80, (byte)'\n']);

        var error = Assert.Throws<IngestException>(() => SourceEncoding.Detect(path));

        Assert.Equal(IngestProblem.UnknownEncoding, error.Problem);
    }

    [Fact]
    public void A_declared_encoding_wins_over_detection()
    {
        string path = files.Write("a.csv", "编号,名称\n1,长春\n", TempFiles.Gbk);

        using var rows = RowSource.Open(path, new SourceSpec("a.csv", Encoding: "gb18030"));

        Assert.Equal("gb18030", rows.Encoding);
        Assert.Equal(["编号", "名称"], rows.Headers);
    }

    [Fact]
    public void Fingerprint_is_the_sha256_and_size_of_the_file()
    {
        string path = files.Write("a.csv", "id\n1\n");

        var fingerprint = SourceFingerprint.Compute(path);

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), fingerprint.Sha256);
        Assert.Equal(5, fingerprint.Bytes);
    }
}
