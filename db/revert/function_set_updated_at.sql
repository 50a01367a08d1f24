-- Revert vestige:function_set_updated_at

BEGIN;
DROP FUNCTION vestige.set_updated_at();
COMMIT;
