-- revert vestige:function_fsrs_step (placeholder: not written yet)

BEGIN;
COMMIT;
