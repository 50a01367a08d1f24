-- Verify vestige:function_reembed_todo

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.reembed_todo(uuid, integer)', 'EXECUTE'))::int;
ROLLBACK;
