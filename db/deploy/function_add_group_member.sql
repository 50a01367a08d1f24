-- deploy vestige:function_add_group_member (placeholder: not written yet)

BEGIN;
COMMIT;
