-- Revert vestige:function_check_content

BEGIN;
DROP FUNCTION vestige.check_content(text);
COMMIT;
