using System.Text;

namespace DataOpen.Core.Tests.Ingest;

/// <summary>A temporary folder for one test's source files, deleted afterwards.</summary>
public sealed class TempFiles : IDisposable
{
    static TempFiles() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public TempFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "dataopen-ingest-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public static Encoding Gbk => Encoding.GetEncoding(936);

    public static Encoding Gb18030 => Encoding.GetEncoding(54936);

    public string Write(string name, string content, Encoding? encoding = null, bool bom = false)
    {
        string path = Path.Combine(Directory, name);
        var bytes = (encoding ?? new UTF8Encoding(false)).GetBytes(content);
        if (bom)
        {
            bytes = [0xEF, 0xBB, 0xBF, .. bytes];
        }

        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string WriteBytes(string name, byte[] bytes)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on some platform must not fail the test run.
        }
    }
}
