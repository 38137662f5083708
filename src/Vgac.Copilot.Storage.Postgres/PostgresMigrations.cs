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
        new(4, "one role's chat sessions are its own (row-level security); leases only through functions that check the holder and cap the expiry", """
            ALTER TABLE chat_sessions ADD COLUMN db_role TEXT NOT NULL DEFAULT current_user;
            ALTER TABLE chat_sessions DROP CONSTRAINT chat_sessions_pkey;
            ALTER TABLE chat_sessions ADD PRIMARY KEY (db_role, owner, name);
            ALTER TABLE chat_sessions ENABLE ROW LEVEL SECURITY;
            CREATE POLICY chat_sessions_own ON chat_sessions USING (db_role = current_user) WITH CHECK (db_role = current_user);
            CREATE FUNCTION vgac_lead(p_name TEXT, p_holder TEXT, p_ttl DOUBLE PRECISION)
                RETURNS TABLE (granted BOOLEAN, holder TEXT, token BIGINT, expires_at TIMESTAMPTZ)
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
            DECLARE
                cur leases%ROWTYPE;
                next_token BIGINT;
                until TIMESTAMPTZ := now() + make_interval(secs => LEAST(GREATEST(COALESCE(p_ttl, 0), 0), 3600));
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtextextended('vgac-lease:' || p_name, 0));
                SELECT * INTO cur FROM leases l WHERE l.name = p_name;
                IF NOT FOUND THEN
                    next_token := 1;
                ELSIF cur.holder = p_holder THEN
                    next_token := cur.token;
                ELSIF cur.expires_at <= now() THEN
                    next_token := cur.token + 1;
                ELSE
                    RETURN QUERY SELECT false, cur.holder, cur.token, cur.expires_at;
                    RETURN;
                END IF;
                INSERT INTO leases AS l (name, holder, token, expires_at) VALUES (p_name, p_holder, next_token, until)
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at;
                RETURN QUERY SELECT true, p_holder, next_token, until;
            END $$;
            CREATE FUNCTION vgac_release(p_name TEXT, p_holder TEXT) RETURNS void
                LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
                UPDATE leases SET expires_at = now() - interval '1 second' WHERE name = p_name AND holder = p_holder;
            $$;
            REVOKE ALL ON FUNCTION vgac_lead(TEXT, TEXT, DOUBLE PRECISION) FROM PUBLIC;
            REVOKE ALL ON FUNCTION vgac_release(TEXT, TEXT) FROM PUBLIC;
            """),
    ];

    /// <summary>What the application's role is granted, in words (<c>storage migrate --grant-to</c> says exactly this).</summary>
    public const string GrantsInWords =
        "INSERT and SELECT on the trail; SELECT on the leases, which it changes only through vgac_lead and vgac_release (the holder checked, "
        + "the expiry capped at an hour); SELECT, INSERT and UPDATE on its own chat sessions (row-level security); SELECT on the schema's version; nothing else";

    /// <summary>What the application's role may do (<see cref="GrantsInWords"/>), after taking back whatever it held before.</summary>
    public static string Grants(string role) => $"""
        REVOKE ALL ON events, leases, chat_sessions, vgac_schema_migrations FROM {role};
        GRANT USAGE ON SCHEMA public TO {role};
        GRANT SELECT, INSERT ON events TO {role};
        GRANT SELECT ON leases TO {role};
        GRANT EXECUTE ON FUNCTION vgac_lead(TEXT, TEXT, DOUBLE PRECISION), vgac_release(TEXT, TEXT) TO {role};
        GRANT SELECT, INSERT, UPDATE ON chat_sessions TO {role};
        GRANT SELECT ON vgac_schema_migrations TO {role};
        """;
}
