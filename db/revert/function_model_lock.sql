-- Revert vestige:function_model_lock

BEGIN;
DROP FUNCTION vestige.model_lock(boolean);
COMMIT;
