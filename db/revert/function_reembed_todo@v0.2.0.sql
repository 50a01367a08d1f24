-- Revert vestige:function_reembed_todo

BEGIN;
DROP FUNCTION vestige.reembed_todo(uuid, integer);
COMMIT;
