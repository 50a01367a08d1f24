-- deploy vestige:function_create_group (placeholder: not written yet)

BEGIN;
COMMIT;
