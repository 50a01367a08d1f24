-- Revert vestige:function_revoke_my_api_key

BEGIN;
DROP FUNCTION vestige.revoke_my_api_key(uuid);
COMMIT;
