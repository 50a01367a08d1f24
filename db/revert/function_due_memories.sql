-- Revert vestige:function_due_memories

BEGIN;
DROP FUNCTION vestige.due_memories(timestamptz, integer);
COMMIT;
