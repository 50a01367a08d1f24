-- Deploy vestige:function_authenticate
-- The user and scopes of an API key, for the network server: it hashes the key a request
-- presents and runs the request as the returned user. Only a service session may call it (a
-- personal login gets no oracle for keys). Every refusal is VS016 and names no other key.
--
-- The key is looked up by its SHA-256 through the unique index. A fast hash is right here: a
-- key holds 256 random bits, so no guessing attack gets anywhere whatever the hash costs; slow
-- hashes (bcrypt, Argon2) exist for passwords people choose, and would cost every request tens
-- of milliseconds. The comparison is of digests, never of the key: a timing difference in the
-- index lookup could tell an attacker only about the digest of a key they made up themselves,
-- which says nothing about any stored key (SHA-256 has no usable preimages). That is what a
-- constant-time comparison of the plaintext protects, without a per-key scan.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so a service session (as vestige_app) can read and stamp vestige.api_keys.
CREATE FUNCTION vestige.authenticate(p_key_hash bytea)
RETURNS TABLE (key_id uuid, user_id uuid, handle text, scopes text[])
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_key vestige.api_keys;
BEGIN
    IF NOT vestige.is_service_session() THEN
        RAISE EXCEPTION 'the login role % may not authenticate API keys: only a server''s login may', session_user
            USING ERRCODE = 'VS015',
                  HINT = pg_catalog.format('Run vestige serve with a login that is a member of vestige_service (GRANT vestige_service TO %I), and not bound to a user.', session_user);
    END IF;

    SELECT * INTO v_key FROM vestige.api_keys AS k WHERE k.key_hash = p_key_hash;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown API key'
            USING ERRCODE = 'VS016', HINT = 'Check the key, or ask the operator for one: `vestige key create`.';
    END IF;
    IF v_key.revoked_at IS NOT NULL THEN
        RAISE EXCEPTION 'the API key % was revoked at %', v_key.id, v_key.revoked_at
            USING ERRCODE = 'VS016', HINT = 'Ask the operator for a new key.';
    END IF;
    IF v_key.expires_at <= now() THEN
        RAISE EXCEPTION 'the API key % expired at %', v_key.id, v_key.expires_at
            USING ERRCODE = 'VS016', HINT = 'Ask the operator for a new key.';
    END IF;

    -- To the minute: a busy key does not rewrite its row on every request.
    UPDATE vestige.api_keys AS k SET last_used_at = now()
     WHERE k.id = v_key.id AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');

    RETURN QUERY
    SELECT v_key.id, v_key.user_id, u.handle, v_key.scopes FROM vestige.users AS u WHERE u.id = v_key.user_id;
END
$$;

COMMENT ON FUNCTION vestige.authenticate(bytea) IS
'Return the key id, user, handle and scopes of the API key with this SHA-256, and note its use. Only a service session may call it (VS015 otherwise). Errors: VS016 unknown, revoked or expired key.';

GRANT EXECUTE ON FUNCTION vestige.authenticate(bytea) TO vestige_app;

COMMIT;
