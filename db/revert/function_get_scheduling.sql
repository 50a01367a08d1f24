-- revert vestige:function_get_scheduling (placeholder: not written yet)

BEGIN;
COMMIT;
