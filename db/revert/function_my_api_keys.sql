-- Revert vestige:function_my_api_keys

BEGIN;
DROP FUNCTION vestige.my_api_keys();
COMMIT;
