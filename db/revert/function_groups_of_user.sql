-- Revert vestige:function_groups_of_user

BEGIN;
DROP FUNCTION vestige.groups_of_user(uuid);
COMMIT;
