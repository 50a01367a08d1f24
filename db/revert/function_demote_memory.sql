-- revert vestige:function_demote_memory (placeholder: not written yet)

BEGIN;
COMMIT;
