-- Deploy vestige:function_my_api_keys
-- The caller's own API keys, as list_api_keys shows them.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so vestige_app can list the caller's keys without any access to vestige.api_keys.
CREATE FUNCTION vestige.my_api_keys()
RETURNS SETOF vestige.api_key_info
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM vestige.list_api_keys(vestige.current_user_id());
END;

COMMENT ON FUNCTION vestige.my_api_keys() IS
'List the caller''s own API keys, newest first, as list_api_keys shows them (never a hash).';

GRANT EXECUTE ON FUNCTION vestige.my_api_keys() TO vestige_app;

COMMIT;
