using System.ComponentModel.DataAnnotations;

namespace DataOpen.Api.Infrastructure;

/// <summary>Settings under the <c>DataOpen</c> section (environment: <c>DataOpen__Name</c>). Every one is listed in the README.</summary>
public sealed class DataOpenOptions
{
    public const string Section = "DataOpen";

    /// <summary>Folder of the embedded PostgreSQL cluster when no connection string is configured.</summary>
    [Required]
    public string DataDirectory { get; set; } = ".data";

    /// <summary>Delete the embedded cluster on shutdown and tune it for speed (tests).</summary>
    public bool EphemeralDatabase { get; set; }

    /// <summary>Folder with PostgreSQL server binaries; found automatically when empty.</summary>
    public string? PostgresBinDir { get; set; }

    /// <summary>Password given to the reader role when the service manages it on an existing server.</summary>
    public string? ReaderPassword { get; set; }

    /// <summary>Statement timeout of every public read, in seconds.</summary>
    [Range(1, 3600)]
    public int StatementTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Statement timeout of a download, in seconds. A download's statement lasts as long as the client
    /// takes to read the file, so it needs longer than a page of rows.
    /// </summary>
    [Range(1, 86400)]
    public int DownloadTimeoutSeconds { get; set; } = 3600;

    /// <summary>Folder of the sample catalog, published at start when its files changed.</summary>
    public string DatasetsPath { get; set; } = "datasets";

    /// <summary>Folder of reference records (publishers, themes, licences, tiers).</summary>
    public string SeedsPath { get; set; } = "seeds";

    /// <summary>Publish datasets/ at start-up.</summary>
    public bool SeedOnStart { get; set; } = true;

    /// <summary>Key required by admin endpoints until access control lands (send as X-Api-Key or Authorization: Bearer).</summary>
    public string? AdminKey { get; set; }

    /// <summary>Largest single field accepted by ingest, in bytes.</summary>
    [Range(1024, 1 << 30)]
    public int MaxFieldBytes { get; set; } = 1 << 20;

    /// <summary>Largest upload accepted by the admin upload endpoint, in bytes.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 2L << 30;
}
