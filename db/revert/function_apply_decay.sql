-- revert vestige:function_apply_decay (placeholder: not written yet)

BEGIN;
COMMIT;
