-- Verify vestige:function_import_begin

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.import_begin()', 'EXECUTE'))::int;
SELECT vestige.import_begin();
ROLLBACK;
