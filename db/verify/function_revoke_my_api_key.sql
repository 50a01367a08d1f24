-- Verify vestige:function_revoke_my_api_key

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.revoke_my_api_key(uuid)', 'EXECUTE')::int;
ROLLBACK;
