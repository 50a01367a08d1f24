-- Deploy vestige:function_revoke_my_api_key
-- Revoke one of the caller's own API keys (a lost laptop). Another user's key is "not found",
-- as a key that does not exist: nothing tells the two apart.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so vestige_app can revoke the caller's keys without any access to vestige.api_keys.
CREATE FUNCTION vestige.revoke_my_api_key(p_id uuid)
RETURNS SETOF vestige.api_key_info
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM FROM vestige.api_keys AS k WHERE k.id = p_id AND k.user_id = vestige.current_user_id();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'API key % not found', p_id
            USING ERRCODE = 'VS008', HINT = 'List your keys: GET /api/v1/keys.';
    END IF;
    RETURN QUERY SELECT * FROM vestige.revoke_api_key(p_id);
END
$$;

COMMENT ON FUNCTION vestige.revoke_my_api_key(uuid) IS
'Revoke one of the caller''s own API keys and return it as list_api_keys shows it. Errors: VS008 no such key of the caller''s.';

GRANT EXECUTE ON FUNCTION vestige.revoke_my_api_key(uuid) TO vestige_app;

COMMIT;
