-- Revert vestige:function_health

BEGIN;
DROP FUNCTION vestige.health();
COMMIT;
