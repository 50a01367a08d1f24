-- Verify vestige:function_current_user_id

BEGIN;
SELECT pg_catalog.has_function_privilege('vestige_app', 'vestige.current_user_id()', 'EXECUTE')::int / 1;
SELECT 1 / (pg_catalog.pg_get_functiondef('vestige.current_user_id()'::regprocedure) LIKE '%vestige_service%')::int;
ROLLBACK;
