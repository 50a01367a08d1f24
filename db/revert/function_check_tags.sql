-- Revert vestige:function_check_tags

BEGIN;
DROP FUNCTION vestige.check_tags(text[]);
COMMIT;
