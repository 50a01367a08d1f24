-- Revert vestige:function_pending_model

BEGIN;
DROP FUNCTION vestige.pending_model(text);
COMMIT;
