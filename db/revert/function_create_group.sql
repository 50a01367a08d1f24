-- Revert vestige:function_create_group

BEGIN;
DROP FUNCTION vestige.create_group(text);
COMMIT;
