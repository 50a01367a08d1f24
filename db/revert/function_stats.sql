-- revert vestige:function_stats (placeholder: not written yet)

BEGIN;
COMMIT;
