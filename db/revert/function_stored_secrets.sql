-- Revert vestige:function_stored_secrets

BEGIN;
DROP FUNCTION vestige.stored_secrets();
COMMIT;
