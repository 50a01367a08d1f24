-- Verify vestige:function_reembed_rollback

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.reembed_rollback()', 'EXECUTE'))::int;
ROLLBACK;
