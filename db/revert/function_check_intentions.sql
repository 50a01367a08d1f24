-- Revert vestige:function_check_intentions

BEGIN;
DROP FUNCTION vestige.check_intentions(text, timestamptz);
COMMIT;
