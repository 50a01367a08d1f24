-- Revert vestige:function_bind_login

BEGIN;
DROP FUNCTION vestige.bind_login(uuid, text);
COMMIT;
