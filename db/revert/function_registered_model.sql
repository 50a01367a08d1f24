-- Revert vestige:function_registered_model

BEGIN;
DROP FUNCTION vestige.registered_model();
COMMIT;
