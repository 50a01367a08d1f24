-- Revert vestige:function_find_secrets

BEGIN;
DROP FUNCTION vestige.find_secrets(text);
COMMIT;
