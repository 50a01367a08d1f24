-- Verify vestige:function_memory_lineage

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.memory_lineage(uuid)', 'EXECUTE')::int;
ROLLBACK;
