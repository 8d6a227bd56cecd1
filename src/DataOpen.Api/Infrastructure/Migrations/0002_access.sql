-- Access control: API keys (only a keyed hash of each key), tiers, conditional-access applications
-- and grants, usage counters; audit: append-only logs of conditional-data access and admin actions.

CREATE TABLE access.tiers (
    id text PRIMARY KEY,
    name_zh text NOT NULL,
    name_en text,
    rate_per_second double precision NOT NULL CHECK (rate_per_second > 0),
    burst integer NOT NULL CHECK (burst > 0),
    daily_quota bigint NOT NULL CHECK (daily_quota > 0),
    requires_key boolean NOT NULL
);

-- A key is 'dok_' + public_id + '_' + secret. The public id finds the row; hash is
-- HMAC-SHA256(server secret, whole key). The key itself is never stored.
CREATE TABLE access.keys (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id text NOT NULL UNIQUE,
    hash bytea NOT NULL,
    name text NOT NULL,
    organisation text,
    email text NOT NULL,
    intended_use text,
    tier text NOT NULL REFERENCES access.tiers (id),
    role text NOT NULL DEFAULT 'holder' CHECK (role IN ('holder', 'steward', 'admin')),
    publisher_id text REFERENCES catalog.publishers (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    rotated_at timestamptz,
    revoked_at timestamptz,
    CHECK (role <> 'steward' OR publisher_id IS NOT NULL)
);

-- Bootstrap admin keys (DataOpen:Access:BootstrapAdminKeyHash) already claimed: a revoked bootstrap
-- key is never claimed again.
CREATE TABLE access.bootstrap_claims (
    sha256 text PRIMARY KEY,
    key_id bigint NOT NULL REFERENCES access.keys (id),
    claimed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE access.applications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_id bigint NOT NULL REFERENCES access.keys (id),
    dataset_id bigint NOT NULL REFERENCES catalog.datasets (id),
    fields text[] NOT NULL DEFAULT '{}',
    purpose text NOT NULL,
    scenario text NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL CHECK (period_end >= period_start),
    organisation text NOT NULL,
    security_measures text NOT NULL,
    pledge_accepted boolean NOT NULL CHECK (pledge_accepted),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    submitted_at timestamptz NOT NULL DEFAULT now(),
    formal_check_due date NOT NULL,
    decision_due date NOT NULL,
    decided_at timestamptz,
    decided_by bigint REFERENCES access.keys (id),
    decided_by_name text,
    reason text
);
CREATE INDEX applications_dataset_status ON access.applications (dataset_id, status);
CREATE INDEX applications_key ON access.applications (key_id);

CREATE TABLE access.grants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id bigint REFERENCES access.applications (id),
    key_id bigint NOT NULL REFERENCES access.keys (id),
    dataset_id bigint NOT NULL REFERENCES catalog.datasets (id),
    valid_from timestamptz NOT NULL DEFAULT now(),
    valid_until timestamptz NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    granted_by text NOT NULL,
    revoked_at timestamptz,
    revoked_by text,
    revoke_reason text
);
CREATE INDEX grants_live ON access.grants (key_id, dataset_id) WHERE revoked_at IS NULL;

-- Usage per day, key (0 = anonymous), dataset (0 = not a dataset request) and door; written in
-- batches by the usage counter, never per request.
CREATE TABLE access.usage_daily (
    day date NOT NULL,
    key_id bigint NOT NULL,
    dataset_id bigint NOT NULL,
    door text NOT NULL,
    requests bigint NOT NULL DEFAULT 0,
    rows bigint NOT NULL DEFAULT 0,
    bytes bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, key_id, dataset_id, door)
);
CREATE INDEX usage_daily_key ON access.usage_daily (key_id, day);

-- Every access to conditional data: who, what, when, how much (GOVERNANCE.md, flow step 6).
CREATE TABLE audit.access_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    key_id bigint,
    key_public_id text,
    dataset_id bigint NOT NULL,
    dataset text NOT NULL,
    version integer,
    door text NOT NULL,
    query text,
    rows bigint NOT NULL
);
CREATE INDEX access_log_dataset_at ON audit.access_log (dataset_id, at);

-- Admin actions: publish, retire, grant, revoke, tier and role changes.
CREATE TABLE audit.admin_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor_key_id bigint,
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    details jsonb
);
CREATE INDEX admin_log_at ON audit.admin_log (at);

-- Append-only even for the role that owns the tables (the service's writer): privileges alone
-- cannot bind an owner, who may grant them back, so triggers refuse every change as well.
CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit.% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON audit.access_log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON audit.access_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER admin_log_append_only BEFORE UPDATE OR DELETE ON audit.admin_log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER admin_log_no_truncate BEFORE TRUNCATE ON audit.admin_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

REVOKE UPDATE, DELETE, TRUNCATE ON audit.access_log, audit.admin_log FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit.access_log, audit.admin_log FROM CURRENT_USER;
