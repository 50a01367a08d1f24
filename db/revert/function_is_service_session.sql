-- Revert vestige:function_is_service_session

BEGIN;
DROP FUNCTION vestige.is_service_session();
COMMIT;
