-- The first schema of onair (SQLite). Same tables, names and rules as the Postgres schema;
-- see migrations/postgres/0001_initial.sql for the conventions.
--
-- SQLite specifics: STRICT tables; timestamps are TEXT in one fixed-width UTC form
-- (`2026-11-28T02:02:00.000000Z`), so text order is time order; JSON is TEXT checked with
-- json_valid; foreign keys are enforced per connection (the store turns them on).

CREATE TABLE tenants (
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CONSTRAINT tenants_id PRIMARY KEY (id),
    CONSTRAINT tenants_name UNIQUE (name)
) STRICT;

CREATE TABLE api_keys (
    id            TEXT NOT NULL,
    tenant_id     TEXT NOT NULL,
    name          TEXT NOT NULL,
    hash          BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    expires_at    TEXT,
    revoked_at    TEXT,
    CONSTRAINT api_keys_id PRIMARY KEY (id),
    CONSTRAINT api_keys_hash UNIQUE (hash),
    CONSTRAINT api_keys_hash_length CHECK (length(hash) = 32),
    CONSTRAINT api_keys_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at, id);

CREATE TABLE profiles (
    id          TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    key_hash    BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    CONSTRAINT profiles_id PRIMARY KEY (id),
    CONSTRAINT profiles_tenant_id UNIQUE (tenant_id, id),
    CONSTRAINT profiles_key_hash UNIQUE (tenant_id, key_hash),
    CONSTRAINT profiles_key_hash_length CHECK (length(key_hash) = 32),
    CONSTRAINT profiles_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX profiles_by_tenant ON profiles (tenant_id, created_at, id);

CREATE TABLE credentials (
    id           TEXT NOT NULL,
    tenant_id    TEXT NOT NULL,
    profile_id   TEXT,
    network      TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    wrapped_key  BLOB NOT NULL,
    ciphertext   BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CONSTRAINT credentials_id PRIMARY KEY (id),
    CONSTRAINT credentials_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT credentials_profile FOREIGN KEY (tenant_id, profile_id)
        REFERENCES profiles (tenant_id, id) ON DELETE CASCADE
) STRICT;
-- NULLs are distinct in a plain unique constraint; fold the tenant-level scope to ''.
CREATE UNIQUE INDEX credentials_scope
    ON credentials (tenant_id, ifnull(profile_id, ''), network);
CREATE INDEX credentials_by_tenant ON credentials (tenant_id, created_at, id);
CREATE INDEX credentials_by_key ON credentials (key_id);

CREATE TABLE audit_events (
    id          TEXT NOT NULL,
    tenant_id   TEXT,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    detail      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
    at          TEXT NOT NULL,
    CONSTRAINT audit_events_id PRIMARY KEY (id)
) STRICT;
CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, at DESC, id DESC);
