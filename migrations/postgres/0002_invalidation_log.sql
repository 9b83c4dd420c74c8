-- SQLite's 0002 adds a log table through which processes sharing one file hear of each
-- other's invalidations. Postgres delivers them with LISTEN/NOTIFY on the channel
-- `onair_invalidations` instead, so it needs no table; this migration keeps the two
-- histories aligned by name.
SELECT 1;
