-- Deploy vestige:function_redact_secrets
-- A text with every secret vestige.find_secrets flags replaced by [REDACTED:<kind>]: what a door
-- stores (and embeds) under the policy `[ingest] secrets = "redact"`, and what `vestige secrets
-- redact` writes over a stored text.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.redact_secrets(p_text text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_text   text := p_text;
    v_secret record;
BEGIN
    -- From the last to the first, so each position still holds when it is replaced.
    FOR v_secret IN SELECT s.kind, s."position", s.length FROM vestige.find_secrets(p_text) AS s ORDER BY s."position" DESC LOOP
        v_text := overlay(v_text PLACING '[REDACTED:' || v_secret.kind || ']' FROM v_secret."position" FOR v_secret.length);
    END LOOP;
    RETURN v_text;
END
$$;

COMMENT ON FUNCTION vestige.redact_secrets(text) IS
'Return the text with each secret that vestige.find_secrets finds replaced by [REDACTED:<kind>] (for url_credentials the password only, for the assignments the value only); a text without secrets is returned unchanged. NULL text: NULL.';

GRANT EXECUTE ON FUNCTION vestige.redact_secrets(text) TO vestige_app;

COMMIT;
