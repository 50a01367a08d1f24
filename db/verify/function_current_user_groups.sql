-- Verify vestige:function_current_user_groups (reworked: the rule is groups_of_user's)

BEGIN;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT 1 / (vestige.current_user_groups() IS NOT NULL)::int;
SELECT 1 / (strpos(pg_get_functiondef('vestige.current_user_groups()'::regprocedure), 'groups_of_user') > 0)::int;
ROLLBACK;
