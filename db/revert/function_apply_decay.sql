-- Revert vestige:function_apply_decay

BEGIN;
DROP FUNCTION vestige.apply_decay(timestamptz);
COMMIT;
