-- Verify vestige:function_remove_edge

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.remove_edge(uuid, uuid, text)', 'EXECUTE')::int;
ROLLBACK;
