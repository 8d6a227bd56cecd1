namespace DataOpen.Disclosure.Tests;

internal static class RepoPaths
{
    /// <summary>The repository root: the first ancestor of the test binaries holding DataOpen.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataOpen.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("DataOpen.sln not found above " + AppContext.BaseDirectory);
    }
}
