-- Revert vestige:function_touch_memories

BEGIN;
DROP FUNCTION vestige.touch_memories(uuid[]);
COMMIT;
