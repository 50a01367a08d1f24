-- Revert vestige:function_check_search

BEGIN;
DROP FUNCTION vestige.check_search(text, integer);
COMMIT;
