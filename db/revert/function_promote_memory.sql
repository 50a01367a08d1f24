-- Revert vestige:function_promote_memory

BEGIN;
DROP FUNCTION vestige.promote_memory(uuid);
COMMIT;
