namespace DataOpen.Api.Infrastructure;

/// <summary>
/// Resolves the relative folders in settings (datasets/, seeds/, .data/) against the repository
/// root when the service runs from a checkout, so `dotnet run --project src/DataOpen.Api` and the
/// tests find them whatever the working directory; otherwise against the working directory.
/// </summary>
public static class RepoPaths
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    public static string? RepositoryRoot => Root.Value;

    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var root = Root.Value;
        return Path.GetFullPath(root is null ? path : Path.Combine(root, path));
    }

    private static string? FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DataOpen.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
