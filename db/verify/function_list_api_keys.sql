-- Verify vestige:function_list_api_keys

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.list_api_keys(uuid)', 'EXECUTE'))::int;
SELECT * FROM vestige.list_api_keys() WHERE false;
ROLLBACK;
