-- Revert vestige:function_reembed_status

BEGIN;
DROP FUNCTION vestige.reembed_status();
COMMIT;
