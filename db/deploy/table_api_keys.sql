-- Deploy vestige:table_api_keys
-- API keys of the network server. Each belongs to one user: a request with the key runs as that
-- user. Only the SHA-256 of the key is stored (the plaintext, `vst_` and 256 random bits, is
-- shown once by `vestige key create` and never reaches the database). No grants: vestige_app
-- reaches keys only through the definer functions (authenticate, my_api_keys,
-- revoke_my_api_key); the operator functions are not granted to it.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.api_keys (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid        NOT NULL REFERENCES vestige.users (id) ON DELETE CASCADE,
    label        text        NOT NULL CHECK (label ~ '^[^[:cntrl:]]{1,100}$'),
    key_hash     bytea       NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
    scopes       text[]      NOT NULL DEFAULT '{read,write}' CHECK (scopes IN ('{read}', '{read,write}')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at   timestamptz CHECK (expires_at > created_at),
    revoked_at   timestamptz
);

CREATE INDEX api_keys_user_id_idx ON vestige.api_keys (user_id);

ALTER TABLE vestige.api_keys ENABLE ROW LEVEL SECURITY;

COMMENT ON TABLE vestige.api_keys IS 'API keys of the network server: each runs as its user with its scopes. Only the SHA-256 of the key is stored.';
COMMENT ON COLUMN vestige.api_keys.label IS 'What the key is for (a device, a tool): 1 to 100 characters, no control characters.';
COMMENT ON COLUMN vestige.api_keys.key_hash IS 'SHA-256 of the whole key text (vst_...): 32 bytes.';
COMMENT ON COLUMN vestige.api_keys.scopes IS '{read} (search and read only) or {read,write}.';
COMMENT ON COLUMN vestige.api_keys.last_used_at IS 'When the key last authenticated a request, to the minute.';

COMMIT;
