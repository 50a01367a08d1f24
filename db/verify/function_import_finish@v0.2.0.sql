-- Verify vestige:function_import_finish

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.import_finish()', 'EXECUTE'))::int;
SELECT vestige.import_finish();
ROLLBACK;
