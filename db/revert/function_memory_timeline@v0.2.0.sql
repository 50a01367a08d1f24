-- Revert vestige:function_memory_timeline

BEGIN;
DROP FUNCTION vestige.memory_timeline(integer);
COMMIT;
