-- Revert vestige:function_list_domains

BEGIN;
DROP FUNCTION vestige.list_domains();
COMMIT;
