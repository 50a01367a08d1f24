-- Verify vestige:function_bind_login

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.bind_login(uuid, text)', 'EXECUTE'))::int;
ROLLBACK;
