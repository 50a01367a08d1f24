-- Revert vestige:function_find_group

BEGIN;
DROP FUNCTION vestige.find_group(text);
COMMIT;
