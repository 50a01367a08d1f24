-- Revert vestige:function_demote_memory

BEGIN;
DROP FUNCTION vestige.demote_memory(uuid);
COMMIT;
