-- Verify vestige:table_api_keys

BEGIN;
SELECT id, user_id, label, key_hash, scopes, created_at, last_used_at, expires_at, revoked_at
  FROM vestige.api_keys WHERE false;
SELECT 1 / (NOT pg_catalog.has_table_privilege('vestige_app', 'vestige.api_keys', 'SELECT'))::int;
ROLLBACK;
