-- revert vestige:function_set_intention (placeholder: not written yet)

BEGIN;
COMMIT;
