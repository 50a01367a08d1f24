-- Revert vestige:function_check_sharing

BEGIN;
DROP FUNCTION vestige.check_sharing(text, uuid[]);
COMMIT;
