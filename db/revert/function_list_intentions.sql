-- Revert vestige:function_list_intentions

BEGIN;
DROP FUNCTION vestige.list_intentions(text[], integer);
COMMIT;
