-- Revert vestige:function_stats

BEGIN;
DROP FUNCTION vestige.stats();
COMMIT;
