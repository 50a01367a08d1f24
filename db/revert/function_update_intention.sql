-- revert vestige:function_update_intention (placeholder: not written yet)

BEGIN;
COMMIT;
