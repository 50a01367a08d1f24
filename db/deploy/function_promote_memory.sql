-- deploy vestige:function_promote_memory (placeholder: not written yet)

BEGIN;
COMMIT;
