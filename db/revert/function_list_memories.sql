-- Revert vestige:function_list_memories

BEGIN;
DROP FUNCTION vestige.list_memories(text, text[], text[], integer);
COMMIT;
