-- Webhooks: a key holder subscribes a URL to a dataset's new versions. Deliveries are rows, so they survive a
-- restart and several instances share the work (FOR UPDATE SKIP LOCKED). A schema of its own that the reader
-- role cannot read: it holds the signing secrets and subscribers' URLs.
CREATE SCHEMA IF NOT EXISTS webhooks;
REVOKE ALL ON SCHEMA webhooks FROM PUBLIC;

CREATE TABLE webhooks.subscriptions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_id bigint NOT NULL REFERENCES access.keys (id),
    dataset_id bigint NOT NULL REFERENCES catalog.datasets (id),
    url text NOT NULL CHECK (length(url) <= 2000),
    -- The base URL the subscription was made on: links in deliveries point there.
    base_url text NOT NULL,
    -- The HMAC-SHA256 key (Standard Webhooks): needed to sign, so it is kept, out of the reader's reach.
    secret bytea NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
    consecutive_failures integer NOT NULL DEFAULT 0,
    disabled_at timestamptz,
    disabled_reason text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX subscriptions_once ON webhooks.subscriptions (key_id, dataset_id, url) WHERE status <> 'deleted';
CREATE INDEX subscriptions_by_dataset ON webhooks.subscriptions (dataset_id) WHERE status = 'active';

CREATE TABLE webhooks.deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- webhook-id: the same for every attempt, so receivers can drop duplicates.
    message_id text NOT NULL UNIQUE DEFAULT 'msg_' || replace(gen_random_uuid()::text, '-', ''),
    subscription_id bigint NOT NULL REFERENCES webhooks.subscriptions (id),
    dataset_id bigint NOT NULL,
    version integer NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'skipped', 'cancelled')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    last_status_code integer,
    last_error text,
    UNIQUE (subscription_id, dataset_id, version)
);
CREATE INDEX deliveries_due ON webhooks.deliveries (next_attempt_at, id) WHERE status = 'pending';

CREATE TABLE webhooks.attempts (
    delivery_id bigint NOT NULL REFERENCES webhooks.deliveries (id),
    attempt integer NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    status_code integer,
    error text,
    duration_ms integer NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- A new version: one delivery per active subscription of its dataset, in the publishing transaction itself
-- (a publish that rolls back leaves none), and a wake-up for the dispatchers once it commits.
CREATE FUNCTION webhooks.enqueue_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhooks.deliveries (subscription_id, dataset_id, version)
    SELECT s.id, NEW.dataset_id, NEW.version FROM webhooks.subscriptions s
    WHERE s.dataset_id = NEW.dataset_id AND s.status = 'active'
    ON CONFLICT DO NOTHING;
    PERFORM pg_notify('webhook_deliveries', NEW.dataset_id::text);
    RETURN NEW;
END
$$;

CREATE TRIGGER versions_enqueue_webhooks AFTER INSERT ON catalog.versions
    FOR EACH ROW EXECUTE FUNCTION webhooks.enqueue_version();
