-- Verify vestige:function_current_user_id

BEGIN;
SELECT pg_catalog.has_function_privilege('vestige_app', 'vestige.current_user_id()', 'EXECUTE')::int / 1;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT 1 / (vestige.current_user_id() = '00000000-0000-0000-0000-000000000001')::int;
ROLLBACK;
