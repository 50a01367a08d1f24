-- Revert vestige:function_find_user

BEGIN;
DROP FUNCTION vestige.find_user(text);
COMMIT;
