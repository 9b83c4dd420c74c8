-- Invalidations between processes sharing this file: the server polls for rows written by
-- any process (the operator's CLI revoking a key while the server runs). Each change adds
-- its row in its own transaction; rows older than an hour are pruned as new ones arrive.
CREATE TABLE invalidation_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    at TEXT NOT NULL
) STRICT;

CREATE INDEX invalidation_log_at ON invalidation_log (at);
