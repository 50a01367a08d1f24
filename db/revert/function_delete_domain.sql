-- Revert vestige:function_delete_domain

BEGIN;
DROP FUNCTION vestige.delete_domain(text);
COMMIT;
