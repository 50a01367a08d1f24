-- Verify vestige:function_find_memory

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.find_memory(text)', 'EXECUTE')::int;
ROLLBACK;
