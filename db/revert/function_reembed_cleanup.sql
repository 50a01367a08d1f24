-- Revert vestige:function_reembed_cleanup

BEGIN;
DROP FUNCTION vestige.reembed_cleanup();
COMMIT;
