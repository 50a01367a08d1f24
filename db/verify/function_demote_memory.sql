-- Verify vestige:function_demote_memory

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.demote_memory(uuid)', 'EXECUTE')::int;
ROLLBACK;
