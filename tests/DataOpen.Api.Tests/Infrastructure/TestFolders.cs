namespace DataOpen.Api.Tests.Infrastructure;

/// <summary>
/// Folders for test datasets under one root per test run, removed when the test process exits: a dataset's
/// files must outlive the test that publishes them (seeding may read them again), but not the run.
/// </summary>
public static class TestFolders
{
    private static readonly string Root = CreateRoot();

    /// <summary>A new, empty folder named <paramref name="prefix"/> plus a random suffix.</summary>
    public static string New(string prefix)
    {
        var folder = Path.Combine(Root, prefix + "-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string CreateRoot()
    {
        var root = Directory.CreateTempSubdirectory("dataopen-tests-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a file still open at exit leaves the folder for the system's temp cleaning.
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return root;
    }
}
