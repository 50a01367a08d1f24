-- Deploy vestige:function_revoke_api_key
-- Revoke an API key: the next request with it is refused. Revoking a revoked key changes
-- nothing. An operator function (not granted to vestige_app); a caller revokes their own keys
-- with revoke_my_api_key.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.revoke_api_key(p_id uuid)
RETURNS SETOF vestige.api_key_info
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_user_id uuid;
BEGIN
    UPDATE vestige.api_keys AS k SET revoked_at = coalesce(k.revoked_at, now())
     WHERE k.id = p_id
    RETURNING k.user_id INTO v_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'API key % not found', p_id
            USING ERRCODE = 'VS008', HINT = 'List the keys with `vestige key list`.';
    END IF;
    RETURN QUERY SELECT * FROM vestige.list_api_keys(v_user_id) AS k WHERE k.id = p_id;
END
$$;

COMMENT ON FUNCTION vestige.revoke_api_key(uuid) IS
'Revoke an API key (a no-op when it is revoked already) and return it as list_api_keys shows it (operator only). Errors: VS008 no such key.';

COMMIT;
