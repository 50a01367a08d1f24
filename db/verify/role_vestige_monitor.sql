-- Verify vestige:role_vestige_monitor

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_monitor', 'vestige.health()', 'EXECUTE')::int;
SELECT 1 / (NOT pg_catalog.pg_has_role('vestige_monitor', 'vestige_app', 'MEMBER'))::int;
ROLLBACK;
