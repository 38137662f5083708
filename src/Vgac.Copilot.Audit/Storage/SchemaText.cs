namespace Vgac.Copilot.Audit.Storage;

/// <summary>The words both backends use about schema versions and leases, in one place.</summary>
public static class SchemaText
{
    /// <summary>A store migrated by a newer vgac: this one does not know what the newer steps mean, so it uses none of it.</summary>
    public static void RefuseNewer(IReadOnlyList<MigrationStep> applied, int known, string what)
    {
        if (applied.Count > 0 && applied.Max(a => a.Version) is var newest && newest > known)
        {
            throw new AuditStoreException(
                $"{what}'s schema is at version {newest}, newer than this vgac knows (version {known}): upgrade vgac before using it.");
        }
    }

    public static string Lost(LeaseFence fence, string? holder, long token) =>
        $"this replica ({fence.Holder}) no longer leads '{fence.Name}': the lease is {(holder is null ? "gone" : $"held by {holder} with token {token}")}, "
        + $"this one had token {fence.Token}; nothing was written.";
}
