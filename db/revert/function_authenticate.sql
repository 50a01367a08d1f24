-- Revert vestige:function_authenticate

BEGIN;
DROP FUNCTION vestige.authenticate(bytea);
COMMIT;
