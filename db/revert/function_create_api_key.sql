-- Revert vestige:function_create_api_key

BEGIN;
DROP FUNCTION vestige.create_api_key(uuid, text, bytea, text[], timestamptz);
COMMIT;
