-- Verify vestige:function_authenticate_key_id

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.authenticate_key_id(uuid)', 'EXECUTE')::int;
ROLLBACK;
