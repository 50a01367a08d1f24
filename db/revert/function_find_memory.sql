-- Revert vestige:function_find_memory

BEGIN;
DROP FUNCTION vestige.find_memory(text);
COMMIT;
