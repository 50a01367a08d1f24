-- Revert vestige:function_list_users

BEGIN;
DROP FUNCTION vestige.list_users();
COMMIT;
