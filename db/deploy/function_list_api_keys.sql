-- Deploy vestige:function_list_api_keys
-- The API keys, every user's or one user's, newest first: never a hash. An operator function
-- (not granted to vestige_app); a caller lists their own with my_api_keys.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- What the key functions return about a key (the one shape of list, create and revoke).
CREATE TYPE vestige.api_key_info AS (
    id           uuid,
    user_id      uuid,
    handle       text,
    label        text,
    scopes       text[],
    status       text,
    created_at   timestamptz,
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz
);

COMMENT ON TYPE vestige.api_key_info IS 'An API key as the key functions show it: never its hash. status is active, expired or revoked.';

GRANT USAGE ON TYPE vestige.api_key_info TO vestige_app;

CREATE FUNCTION vestige.list_api_keys(p_user_id uuid DEFAULT NULL)
RETURNS SETOF vestige.api_key_info
LANGUAGE sql
STABLE
SET search_path = vestige, pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT k.id, k.user_id, u.handle, k.label, k.scopes,
           CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked'
                WHEN k.expires_at <= now() THEN 'expired'
                ELSE 'active' END,
           k.created_at, k.last_used_at, k.expires_at, k.revoked_at
      FROM vestige.api_keys AS k
      JOIN vestige.users AS u ON u.id = k.user_id
     WHERE p_user_id IS NULL OR k.user_id = p_user_id
     ORDER BY k.created_at DESC, k.id;
END;

COMMENT ON FUNCTION vestige.list_api_keys(uuid) IS
'List the API keys (of one user when p_user_id is given), newest first, with status active, expired or revoked; never a hash (operator only).';

COMMIT;
