-- Verify vestige:function_set_fts_language

BEGIN;
SELECT 'vestige.set_fts_language(regconfig)'::regprocedure;
-- An operator function: the application role may not run it.
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.set_fts_language(regconfig)', 'EXECUTE'))::int;
ROLLBACK;
