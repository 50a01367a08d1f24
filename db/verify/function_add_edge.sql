-- Verify vestige:function_add_edge

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.add_edge(uuid, uuid, text, double precision)', 'EXECUTE')::int;
ROLLBACK;
