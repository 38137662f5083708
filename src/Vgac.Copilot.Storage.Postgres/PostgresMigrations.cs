namespace Vgac.Copilot.Storage.Postgres;

/// <summary>
/// The PostgreSQL trail's schema as numbered migrations, applied once each, in order, in one transaction under an
/// advisory lock (two replicas starting together migrate once). Append-only twice over: triggers refuse UPDATE,
/// DELETE and TRUNCATE, and the application's role is granted only INSERT and SELECT on the trail
/// (<c>vgac storage migrate --grant-to ROLE</c>). Only a prune, with a role allowed to delete, lifts the delete
/// trigger, for its own transaction.
/// </summary>
internal static class PostgresMigrations
{
    public sealed record Step(int Version, string Name, string Sql);

    public static readonly Step[] All =
    [
        new(1, "audit trail: events, append-only triggers, once-per-proposal indexes, hash chain", """
            CREATE TABLE events (
                id BIGINT PRIMARY KEY,
                at TEXT NOT NULL,
                cycle BIGINT NOT NULL,
                kind TEXT NOT NULL,
                job_id TEXT,
                tier INTEGER,
                proposal_id TEXT,
                summary TEXT NOT NULL,
                payload TEXT,
                cluster TEXT NOT NULL DEFAULT 'default',
                prev_hash TEXT,
                hash TEXT);
            CREATE INDEX events_cluster_job ON events(cluster, job_id, tier, at);
            CREATE INDEX events_proposal ON events(proposal_id);
            CREATE INDEX events_kind_at ON events(kind, at);
            CREATE INDEX events_at ON events(at);
            CREATE UNIQUE INDEX events_started_once ON events(proposal_id) WHERE kind = 'execution_started';
            CREATE UNIQUE INDEX events_decided_once ON events(proposal_id) WHERE kind IN ('approval', 'rejection');
            CREATE FUNCTION vgac_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND current_setting('vgac.prune', true) = 'on' THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'the audit trail is append-only';
            END $$;
            CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION vgac_events_append_only();
            CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION vgac_events_append_only();
            """),
        new(2, "watch leases: one leader per cluster, with fencing tokens", """
            CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
            """),
        new(3, "chat sessions: saved REPL sessions, one per owner and name", """
            CREATE TABLE chat_sessions (owner TEXT NOT NULL, name TEXT NOT NULL, saved_at TIMESTAMPTZ NOT NULL, document TEXT NOT NULL, PRIMARY KEY (owner, name));
            """),
    ];

    /// <summary>What the application's role may do: add to the trail and read it, hold leases, save chat sessions, read the schema's version.</summary>
    public static string Grants(string role) => $"""
        GRANT USAGE ON SCHEMA public TO {role};
        GRANT SELECT, INSERT ON events TO {role};
        GRANT SELECT, INSERT, UPDATE ON leases TO {role};
        GRANT SELECT, INSERT, UPDATE ON chat_sessions TO {role};
        GRANT SELECT ON vgac_schema_migrations TO {role};
        """;
}
