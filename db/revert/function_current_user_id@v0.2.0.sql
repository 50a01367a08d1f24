-- Revert vestige:function_current_user_id

BEGIN;
DROP FUNCTION vestige.current_user_id();
COMMIT;
