-- Verify vestige:function_stored_secrets

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.stored_secrets()', 'EXECUTE'))::int;
ROLLBACK;
