-- Revert vestige:function_list_groups

BEGIN;
DROP FUNCTION vestige.list_groups();
COMMIT;
