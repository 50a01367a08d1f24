-- deploy vestige:function_stats (placeholder: not written yet)

BEGIN;
COMMIT;
