-- Verify vestige:function_create_api_key

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.create_api_key(uuid, text, bytea, text[], timestamptz)', 'EXECUTE'))::int;
ROLLBACK;
