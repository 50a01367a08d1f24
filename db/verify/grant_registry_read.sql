-- Verify vestige:grant_registry_read

BEGIN;
SELECT 1 / pg_catalog.has_table_privilege('vestige_app', 'sqitch.changes', 'SELECT')::int;
ROLLBACK;
