-- Verify vestige:function_reembed_cleanup

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.reembed_cleanup()', 'EXECUTE'))::int;
ROLLBACK;
