-- Revert vestige:function_authenticate_key_id

BEGIN;
DROP FUNCTION vestige.authenticate_key_id(uuid);
COMMIT;
