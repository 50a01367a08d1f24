-- Revert vestige:function_list_api_keys

BEGIN;
DROP FUNCTION vestige.list_api_keys(uuid);
DROP TYPE vestige.api_key_info;
COMMIT;
