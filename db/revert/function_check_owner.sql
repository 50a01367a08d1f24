-- Revert vestige:function_check_owner

BEGIN;
DROP FUNCTION vestige.check_owner(uuid);
COMMIT;
