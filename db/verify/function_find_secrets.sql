-- Verify vestige:function_find_secrets

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.find_secrets(text)', 'EXECUTE')::int;
ROLLBACK;
