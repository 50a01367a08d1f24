-- Verify vestige:function_promote_memory

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.promote_memory(uuid)', 'EXECUTE')::int;
ROLLBACK;
