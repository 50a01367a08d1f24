-- Verify vestige:function_revoke_api_key

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.revoke_api_key(uuid)', 'EXECUTE'))::int;
ROLLBACK;
