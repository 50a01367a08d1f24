-- Deploy vestige:function_check_content (reworked: vestige_app may call it; hints name no SQL
-- parameter; secrets refused)
-- The content rule for memories and intentions: not blank, at most 1 MiB of UTF-8, no secret
-- (vestige.find_secrets). The doors call it before they embed a text, so a text that would be
-- refused never loads a model.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE OR REPLACE FUNCTION vestige.check_content(p_content text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_secret record;
BEGIN
    IF p_content IS NULL OR p_content !~ '\S' THEN
        RAISE EXCEPTION 'content is empty'
            USING ERRCODE = 'VS006', HINT = 'Give the text to remember.';
    END IF;
    IF octet_length(p_content) > vestige.content_limit() THEN
        RAISE EXCEPTION 'content is % bytes, more than the 1 MiB (% bytes) limit', octet_length(p_content), vestige.content_limit()
            USING ERRCODE = 'VS006', HINT = 'Split the text into several memories, or store a summary and say where the full text is in its source.';
    END IF;
    SELECT s.kind, s."position" INTO v_secret FROM vestige.find_secrets(p_content) AS s ORDER BY s."position" LIMIT 1;
    IF FOUND THEN
        -- The kind and where, never the value: the message reaches logs and other screens.
        RAISE EXCEPTION 'content holds a secret: % at character %', v_secret.kind, v_secret."position"
            USING ERRCODE = 'VS017',
                  HINT = 'Remove it (keep secrets in a secret manager and remember where they are), or let Vestige redact it: [ingest] secrets = "redact".';
    END IF;
    RETURN p_content;
END
$$;

COMMENT ON FUNCTION vestige.check_content(text) IS
'Return the content when it is not blank, at most vestige.content_limit() (1 MiB, 1048576 bytes of UTF-8) and holds no secret; else raise VS006 (blank, too long) or VS017 (the first secret vestige.find_secrets finds: its kind and character position, never its value). The one content rule: insert_memory, update_memory, ingest (also for the merged text of an update) and the intentions apply it, and a client calls it before embedding.';

GRANT EXECUTE ON FUNCTION vestige.check_content(text) TO vestige_app;

COMMIT;
