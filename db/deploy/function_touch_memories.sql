-- deploy vestige:function_touch_memories (placeholder: not written yet)

BEGIN;
COMMIT;
