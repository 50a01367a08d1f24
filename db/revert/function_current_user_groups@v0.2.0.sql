-- Revert vestige:function_current_user_groups

BEGIN;
DROP FUNCTION vestige.current_user_groups();
COMMIT;
