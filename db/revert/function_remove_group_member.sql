-- revert vestige:function_remove_group_member (placeholder: not written yet)

BEGIN;
COMMIT;
