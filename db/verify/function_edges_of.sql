-- Verify vestige:function_edges_of

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.edges_of(uuid, text, text)', 'EXECUTE')::int;
ROLLBACK;
