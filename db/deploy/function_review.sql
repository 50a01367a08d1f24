-- deploy vestige:function_review (placeholder: not written yet)

BEGIN;
COMMIT;
