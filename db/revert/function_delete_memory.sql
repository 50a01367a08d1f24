-- Revert vestige:function_delete_memory

BEGIN;
DROP FUNCTION vestige.delete_memory(uuid);
COMMIT;
