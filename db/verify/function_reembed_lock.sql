-- Verify vestige:function_reembed_lock

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.reembed_lock()', 'EXECUTE'))::int;
SELECT vestige.reembed_lock();
ROLLBACK;
