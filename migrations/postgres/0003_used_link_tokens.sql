-- Link tokens already used to store a credential, by their `jti`, so that each token
-- stores one credential at most. Rows are kept until the token would have expired anyway.
CREATE TABLE used_link_tokens (
    jti         text        NOT NULL,
    tenant_id   text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    CONSTRAINT used_link_tokens_jti PRIMARY KEY (jti),
    CONSTRAINT used_link_tokens_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
);

CREATE INDEX used_link_tokens_expires_at ON used_link_tokens (expires_at);
