-- Revert vestige:function_get_scheduling

BEGIN;
DROP FUNCTION vestige.get_scheduling(uuid);
COMMIT;
