-- Revert vestige:function_get_domain

BEGIN;
DROP FUNCTION vestige.get_domain(text);
COMMIT;
