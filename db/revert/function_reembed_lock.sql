-- Revert vestige:function_reembed_lock

BEGIN;
DROP FUNCTION vestige.reembed_lock();
COMMIT;
