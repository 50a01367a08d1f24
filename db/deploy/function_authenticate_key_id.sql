-- Deploy vestige:function_authenticate_key_id
-- The user and scopes of an API key named by its id, for the dashboard of the network server:
-- its session cookie holds the key's id (never the key), signed by the server, and every request
-- checks the key again here, so a key revoked or expired meanwhile ends the session. The checks
-- are authenticate's own (service session, revoked, expired, the use noted). An id is no secret
-- (my_api_keys lists them): the server's signature on the cookie is what makes it a credential.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so a service session (as vestige_app) can read vestige.api_keys.
CREATE FUNCTION vestige.authenticate_key_id(p_key_id uuid)
RETURNS TABLE (key_id uuid, user_id uuid, handle text, scopes text[])
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_hash bytea;
BEGIN
    IF NOT vestige.is_service_session() THEN  -- before the look-up: nobody else learns which ids exist
        RAISE EXCEPTION 'the login role % may not authenticate API keys: only a server''s login may', session_user
            USING ERRCODE = 'VS015',
                  HINT = pg_catalog.format('Run vestige serve with a login that is a member of vestige_service (GRANT vestige_service TO %I), and not bound to a user.', session_user);
    END IF;
    SELECT k.key_hash INTO v_hash FROM vestige.api_keys AS k WHERE k.id = p_key_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown API key'
            USING ERRCODE = 'VS016', HINT = 'Sign in again with a key: ask the operator for one (`vestige key create`).';
    END IF;
    RETURN QUERY SELECT * FROM vestige.authenticate(v_hash);
END
$$;

COMMENT ON FUNCTION vestige.authenticate_key_id(uuid) IS
'Return the key id, user, handle and scopes of the API key with this id, through authenticate (the same checks, and its use noted): the dashboard checks the key of a signed session cookie on every request with it. Only a service session may call it (VS015 otherwise). Errors: VS016 unknown, revoked or expired key.';

GRANT EXECUTE ON FUNCTION vestige.authenticate_key_id(uuid) TO vestige_app;

COMMIT;
