-- Verify vestige:function_get_memory

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.get_memory(uuid)', 'EXECUTE')::int;
ROLLBACK;
