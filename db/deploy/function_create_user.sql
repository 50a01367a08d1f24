-- deploy vestige:function_create_user (placeholder: not written yet)

BEGIN;
COMMIT;
