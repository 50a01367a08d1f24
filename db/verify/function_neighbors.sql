-- Verify vestige:function_neighbors

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.neighbors(uuid, integer, text[], double precision, integer)', 'EXECUTE')::int;
SELECT 1 / count(*) FROM pg_catalog.pg_proc
 WHERE oid = 'vestige.neighbors(uuid, integer, text[], double precision, integer)'::regprocedure
   AND provolatile = 's' AND prosecdef;
ROLLBACK;
