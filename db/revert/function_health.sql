-- revert vestige:function_health (placeholder: not written yet)

BEGIN;
COMMIT;
