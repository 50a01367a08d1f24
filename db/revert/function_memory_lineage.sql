-- Revert vestige:function_memory_lineage

BEGIN;
DROP FUNCTION vestige.memory_lineage(uuid);
COMMIT;
