namespace DataOpen.Api.Access;

public sealed record KeyRequest(string? Name, string? Organisation, string? Email, string? IntendedUse, DateTimeOffset? ExpiresAt);

public sealed record IssuedKey(string Key, string Id, string Tier, DateTimeOffset? ExpiresAt, string Note);

public sealed record TierLimits(string Tier, double RatePerSecond, int Burst, long DailyQuota);

public sealed record RemainingQuota(long Burst, long Daily, int DailyResetSeconds);

/// <summary>A grant. <c>Fields</c>: the only fields it covers, as its application named them; empty when it covers every field.</summary>
public sealed record GrantDto(long Id, long? ApplicationId, string Dataset, string Key, string KeyName, IReadOnlyList<string> Fields, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil,
    DateTimeOffset GrantedAt, string GrantedBy, string State, DateTimeOffset? RevokedAt, string? RevokedBy, string? RevokeReason);

public sealed record KeyInfo(string Id, string Name, string? Organisation, string Email, string? IntendedUse, string Role, string? Publisher,
    TierLimits Limits, RemainingQuota? Remaining, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RotatedAt, IReadOnlyList<GrantDto> Grants);

public sealed record UsageReport(string Key, DateOnly From, IReadOnlyList<UsageRow> Days);

public sealed record ApplicationRequest(string? Dataset, IReadOnlyList<string>? Fields, string? Purpose, string? Scenario, DateOnly? PeriodStart, DateOnly? PeriodEnd,
    string? Organisation, string? SecurityMeasures, bool? PledgeAccepted);

/// <summary>An application; <c>grantedFields</c> are the fields its grant covers once approved (empty: every field).</summary>
public sealed record ApplicationDto(long Id, string Dataset, string Key, string KeyName, IReadOnlyList<string> Fields, string Purpose, string Scenario,
    DateOnly PeriodStart, DateOnly PeriodEnd, string Organisation, string SecurityMeasures, bool PledgeAccepted, string Status, DateTimeOffset SubmittedAt,
    DateOnly FormalCheckDue, DateOnly DecisionDue, bool Overdue, DateTimeOffset? DecidedAt, string? DecidedBy, string? Reason, long? GrantId,
    IReadOnlyList<string>? GrantedFields);

/// <summary>An approval: until when, why, and optionally fewer <c>fields</c> than the application named.</summary>
public sealed record ApproveRequest(DateOnly? Until, string? Reason, IReadOnlyList<string>? Fields = null);

public sealed record RejectRequest(string? Reason);

public sealed record RevokeRequest(string? Reason);

public sealed record KeyUpdate(string? Tier, string? Role, string? Publisher, DateTimeOffset? ExpiresAt, bool? ClearExpiry);

public sealed record AdminKeyView(string Id, string Name, string Tier, string Role, string? Publisher, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

public sealed record AuditPage(string Dataset, IReadOnlyList<AccessLogEntry> Entries);
