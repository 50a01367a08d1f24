-- Revert vestige:function_revoke_api_key

BEGIN;
DROP FUNCTION vestige.revoke_api_key(uuid);
COMMIT;
