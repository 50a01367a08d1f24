-- Verify vestige:function_delete_memory

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.delete_memory(uuid)', 'EXECUTE')::int;
ROLLBACK;
