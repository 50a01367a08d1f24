-- Verify vestige:function_get_scheduling

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.get_scheduling(uuid)', 'EXECUTE')::int;
ROLLBACK;
