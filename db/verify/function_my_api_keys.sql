-- Verify vestige:function_my_api_keys

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.my_api_keys()', 'EXECUTE')::int;
ROLLBACK;
