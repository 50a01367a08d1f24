-- Revert vestige:function_add_group_member

BEGIN;
DROP FUNCTION vestige.add_group_member(uuid, uuid, text);
COMMIT;
