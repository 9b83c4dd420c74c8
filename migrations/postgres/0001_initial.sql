-- The first schema of onair.
--
-- Conventions every later migration keeps (watches, the webhook outbox, idempotency keys):
-- * ids are text made in the application (`ten_…`, `key_…`, `prof_…`, UUIDv7-based, so they
--   sort by creation time); constraints are named `<table>_<what>` because the store reports
--   the name of a broken uniqueness rule to its callers;
-- * every tenant-owned table has `tenant_id` referencing tenants, and child tables reference
--   their parent through (tenant_id, id), so a row can never point at another tenant's row;
-- * timestamps are `timestamptz` written by the application in UTC (microseconds);
-- * secrets are never stored: keys as keyed hashes, upstream credentials sealed.

CREATE TABLE tenants (
    id          text        NOT NULL,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT tenants_id PRIMARY KEY (id),
    CONSTRAINT tenants_name UNIQUE (name)
);

CREATE TABLE api_keys (
    id            text        NOT NULL,
    tenant_id     text        NOT NULL,
    name          text        NOT NULL,
    -- HMAC-SHA256 of the key under the keyring's token-hashing key.
    hash          bytea       NOT NULL,
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    CONSTRAINT api_keys_id PRIMARY KEY (id),
    CONSTRAINT api_keys_hash UNIQUE (hash),
    CONSTRAINT api_keys_hash_length CHECK (octet_length(hash) = 32),
    CONSTRAINT api_keys_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at, id);

CREATE TABLE profiles (
    id          text        NOT NULL,
    tenant_id   text        NOT NULL,
    name        text        NOT NULL,
    key_hash    bytea       NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT profiles_id PRIMARY KEY (id),
    -- The target of child tables' (tenant_id, profile_id) references.
    CONSTRAINT profiles_tenant_id UNIQUE (tenant_id, id),
    CONSTRAINT profiles_key_hash UNIQUE (tenant_id, key_hash),
    CONSTRAINT profiles_key_hash_length CHECK (octet_length(key_hash) = 32),
    CONSTRAINT profiles_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE INDEX profiles_by_tenant ON profiles (tenant_id, created_at, id);

CREATE TABLE credentials (
    id           text        NOT NULL,
    tenant_id    text        NOT NULL,
    -- NULL: the tenant's own credential; otherwise one profile's.
    profile_id   text,
    network      text        NOT NULL,
    -- Envelope encryption (see onair_store::secrets::Sealed): which secret key wrapped the
    -- data key, the wrapped data key, and the value under the data key. Both layers bind
    -- tenant_id and id as associated data.
    key_id       text        NOT NULL,
    wrapped_key  bytea       NOT NULL,
    ciphertext   bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT credentials_id PRIMARY KEY (id),
    CONSTRAINT credentials_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT credentials_profile FOREIGN KEY (tenant_id, profile_id)
        REFERENCES profiles (tenant_id, id) ON DELETE CASCADE
);
-- One credential per (tenant, profile or none, network). NULLs are distinct in a plain
-- unique constraint, so the tenant-level scope is folded to '' (never a profile id).
CREATE UNIQUE INDEX credentials_scope
    ON credentials (tenant_id, (COALESCE(profile_id, '')), network);
CREATE INDEX credentials_by_tenant ON credentials (tenant_id, created_at, id);
-- Rotation finds the rows not yet under the current key.
CREATE INDEX credentials_by_key ON credentials (key_id);

CREATE TABLE audit_events (
    id          text        NOT NULL,
    -- NULL for operator-level entries. No reference: the log outlives what it describes.
    tenant_id   text,
    -- `operator`, `system`, or the acting key or profile id.
    actor       text        NOT NULL,
    action      text        NOT NULL,
    target      text,
    detail      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    at          timestamptz NOT NULL,
    CONSTRAINT audit_events_id PRIMARY KEY (id)
);
CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, at DESC, id DESC);
