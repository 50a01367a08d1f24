-- Verify vestige:function_is_service_session

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.is_service_session()', 'EXECUTE')::int;
ROLLBACK;
