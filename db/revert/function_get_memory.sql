-- Revert vestige:function_get_memory

BEGIN;
DROP FUNCTION vestige.get_memory(uuid);
COMMIT;
