-- Verify vestige:function_authenticate

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.authenticate(bytea)', 'EXECUTE')::int;
ROLLBACK;
