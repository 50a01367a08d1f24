-- Deploy vestige:function_create_api_key
-- Store a new API key for a user. The caller (`vestige key create`) draws the key, shows it
-- once and passes only its SHA-256: the plaintext never reaches the database, its statement
-- log or a backup. An operator function: not granted to vestige_app.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.create_api_key(
    p_user_id    uuid,
    p_label      text,
    p_key_hash   bytea,
    p_scopes     text[]      DEFAULT '{read,write}',
    p_expires_at timestamptz DEFAULT NULL
)
RETURNS SETOF vestige.api_key_info
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid;
BEGIN
    IF p_label IS NULL OR p_label !~ '^[^[:cntrl:]]{1,100}$' THEN
        RAISE EXCEPTION 'invalid key label %: must be 1 to 100 characters without control characters',
              coalesce(quote_literal(p_label), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Say what the key is for, e.g. laptop or ci.';
    END IF;
    IF p_key_hash IS NULL OR octet_length(p_key_hash) <> 32 THEN
        RAISE EXCEPTION 'invalid key hash: must be the 32-byte SHA-256 of the key'
            USING ERRCODE = 'VS006', HINT = 'Create keys with `vestige key create`.';
    END IF;
    IF p_scopes IS NULL OR p_scopes NOT IN ('{read}', '{read,write}') THEN
        RAISE EXCEPTION 'invalid scopes %: must be {read} or {read,write}', coalesce(p_scopes::text, 'NULL')
            USING ERRCODE = 'VS006';
    END IF;
    IF p_expires_at <= now() THEN
        RAISE EXCEPTION 'invalid expiry %: must be in the future', p_expires_at
            USING ERRCODE = 'VS006';
    END IF;
    PERFORM FROM vestige.users AS u WHERE u.id = p_user_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown user %', p_user_id
            USING ERRCODE = 'VS011', HINT = 'Create the user first: `vestige user create <handle>`.';
    END IF;

    INSERT INTO vestige.api_keys (user_id, label, key_hash, scopes, expires_at)
    VALUES (p_user_id, p_label, p_key_hash, p_scopes, p_expires_at)
    ON CONFLICT (key_hash) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'that key is already stored'
            USING ERRCODE = 'VS013', HINT = 'Draw a new key.';
    END IF;
    RETURN QUERY SELECT * FROM vestige.list_api_keys(p_user_id) AS k WHERE k.id = v_id;
END
$$;

COMMENT ON FUNCTION vestige.create_api_key(uuid, text, bytea, text[], timestamptz) IS
'Store a new API key for a user by the SHA-256 of the key, and return it as list_api_keys shows it (operator only). Errors: VS006 bad label, hash, scopes ({read} or {read,write}) or an expiry not in the future; VS011 unknown user; VS013 the hash is already stored.';

COMMIT;
