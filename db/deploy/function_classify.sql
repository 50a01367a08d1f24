-- deploy vestige:function_classify (placeholder: not written yet)

BEGIN;
COMMIT;
