-- deploy vestige:function_due_memories (placeholder: not written yet)

BEGIN;
COMMIT;
