-- Verify vestige:function_current_user_groups

BEGIN;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT 1 / (vestige.current_user_groups() IS NOT NULL)::int;
ROLLBACK;
