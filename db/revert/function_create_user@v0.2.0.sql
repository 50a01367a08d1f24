-- Revert vestige:function_create_user

BEGIN;
DROP FUNCTION vestige.create_user(text, text, uuid);
COMMIT;
