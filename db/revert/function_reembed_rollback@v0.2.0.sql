-- Revert vestige:function_reembed_rollback

BEGIN;
DROP FUNCTION vestige.reembed_rollback();
COMMIT;
