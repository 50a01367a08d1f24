-- Revert vestige:function_remove_group_member

BEGIN;
DROP FUNCTION vestige.remove_group_member(uuid, uuid);
COMMIT;
