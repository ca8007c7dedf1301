/**
 * `PRAGMA application_id` of an eventrouter store ('evtr'): tells its files apart from other
 * SQLite databases, so `path` pointed at another app's database is refused instead of written to.
 */
export const APPLICATION_ID = 0x65767472

/*
 * Conventions of every table:
 * - `seq INTEGER PRIMARY KEY` is the first-write order: an upsert (`ON CONFLICT DO UPDATE`) keeps
 *   it, so a replaced record keeps its place, and a new row gets max(seq) + 1, after every row.
 * - `record` is the record itself, as JSON; the other columns are copies of its fields, for keys
 *   and indexes.
 * - `tenant_key` is the tenant as JSON: `null` for the platform scope, `"acme"` for tenant acme,
 *   so that null can never be mistaken for a string tenant (not even "null" or "").
 * - Epoch-ms columns have INTEGER affinity: SQLite keeps a fractional value as REAL, ordering holds.
 */
const V1 = `
-- A delivery waits in its queue (record.queue, opaque to the store): claims and counts go by it.
CREATE TABLE deliveries (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  queue TEXT NOT NULL,
  claimed INTEGER NOT NULL,
  not_before INTEGER NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (queue, claimed, not_before);

-- Kept by the triggers below, so that pendingSummary() reads one row per queue.
CREATE TABLE pending_counts (
  queue TEXT NOT NULL PRIMARY KEY,
  pending INTEGER NOT NULL,
  unclaimed INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER deliveries_counted_on_insert AFTER INSERT ON deliveries BEGIN
  INSERT INTO pending_counts (queue, pending, unclaimed)
    VALUES (NEW.queue, 1, NEW.claimed = 0)
    ON CONFLICT (queue) DO UPDATE
    SET pending = pending + 1, unclaimed = unclaimed + (NEW.claimed = 0);
END;
CREATE TRIGGER deliveries_counted_on_delete AFTER DELETE ON deliveries BEGIN
  UPDATE pending_counts SET pending = pending - 1, unclaimed = unclaimed - (OLD.claimed = 0)
    WHERE queue = OLD.queue;
  DELETE FROM pending_counts WHERE queue = OLD.queue AND pending = 0;
END;
CREATE TRIGGER deliveries_counted_on_claim AFTER UPDATE OF claimed ON deliveries
  WHEN OLD.queue IS NEW.queue AND OLD.claimed IS NOT NEW.claimed
BEGIN
  UPDATE pending_counts SET unclaimed = unclaimed + (NEW.claimed = 0) - (OLD.claimed = 0)
    WHERE queue = NEW.queue;
END;
CREATE TRIGGER deliveries_counted_on_move AFTER UPDATE OF queue ON deliveries
  WHEN OLD.queue IS NOT NEW.queue
BEGIN
  UPDATE pending_counts SET pending = pending - 1, unclaimed = unclaimed - (OLD.claimed = 0)
    WHERE queue = OLD.queue;
  INSERT INTO pending_counts (queue, pending, unclaimed)
    VALUES (NEW.queue, 1, NEW.claimed = 0)
    ON CONFLICT (queue) DO UPDATE
    SET pending = pending + 1, unclaimed = unclaimed + (NEW.claimed = 0);
  DELETE FROM pending_counts WHERE queue = OLD.queue AND pending = 0;
END;

-- tenant_key is letter.delivery.tenant: the scope a dashboard lists. Each filter a query may
-- combine has an index ending in dead_lettered_at (then seq, the rowid), so that the letters
-- matching come out oldest first without a sort, and one tenant's are found without reading
-- every tenant's.
CREATE TABLE dead_letters (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  tenant_key TEXT NOT NULL,
  integration_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  dead_lettered_at INTEGER NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX dead_letters_by_time ON dead_letters (dead_lettered_at);
CREATE INDEX dead_letters_by_integration ON dead_letters (integration_id, dead_lettered_at);
CREATE INDEX dead_letters_by_reason ON dead_letters (reason, dead_lettered_at);
CREATE INDEX dead_letters_by_tenant ON dead_letters (tenant_key, dead_lettered_at);
CREATE INDEX dead_letters_by_tenant_integration ON dead_letters (tenant_key, integration_id, dead_lettered_at);
CREATE INDEX dead_letters_by_tenant_reason ON dead_letters (tenant_key, reason, dead_lettered_at);

-- Integrations, subscriptions and health are keyed by tenant and id: two tenants may use one id.
CREATE TABLE health (
  seq INTEGER PRIMARY KEY,
  tenant_key TEXT NOT NULL,
  integration_id TEXT NOT NULL,
  record TEXT NOT NULL,
  UNIQUE (tenant_key, integration_id)
);

-- The *_by_tenant indexes list one tenant's records in first-write order (the rowid) without a sort.
CREATE TABLE integrations (
  seq INTEGER PRIMARY KEY,
  tenant_key TEXT NOT NULL,
  id TEXT NOT NULL,
  record TEXT NOT NULL,
  UNIQUE (tenant_key, id)
);
CREATE INDEX integrations_by_tenant ON integrations (tenant_key);

CREATE TABLE subscriptions (
  seq INTEGER PRIMARY KEY,
  tenant_key TEXT NOT NULL,
  id TEXT NOT NULL,
  record TEXT NOT NULL,
  UNIQUE (tenant_key, id)
);
CREATE INDEX subscriptions_by_tenant ON subscriptions (tenant_key);

CREATE TABLE disabled_events (
  seq INTEGER PRIMARY KEY,
  tenant_key TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (tenant_key, name)
);

CREATE TABLE accepted_events (
  seq INTEGER PRIMARY KEY,
  tenant_key TEXT NOT NULL,
  event_id TEXT NOT NULL,
  accepted_at INTEGER NOT NULL,
  record TEXT NOT NULL,
  UNIQUE (tenant_key, event_id)
);
CREATE INDEX accepted_events_by_time ON accepted_events (accepted_at);
`

/**
 * `MIGRATIONS[n]` brings a file from schema version `n` to `n + 1` (`PRAGMA user_version`).
 * Append only: a released migration is never edited, since files out there went through it.
 */
export const MIGRATIONS: readonly string[] = [V1]

/** The schema version this build writes; a file of a higher one is refused. */
export const SCHEMA_VERSION = MIGRATIONS.length

/** The key column value of a tenant: its JSON (see the conventions above). */
export function tenantKey(tenant: string | null): string {
  return JSON.stringify(tenant)
}

/** The tenant a key column value stands for. */
export function tenantOfKey(key: string): string | null {
  return JSON.parse(key) as string | null
}
