-- Revert vestige:function_check_content (to @v0.1.0: not callable by vestige_app)
-- The content rule for memories and intentions: not blank, at most 1 MiB of UTF-8.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE OR REPLACE FUNCTION vestige.check_content(p_content text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
BEGIN
    IF p_content IS NULL OR p_content !~ '\S' THEN
        RAISE EXCEPTION 'content is empty'
            USING ERRCODE = 'VS006', HINT = 'Pass the text to remember in p_content.';
    END IF;
    IF octet_length(p_content) > 1048576 THEN
        RAISE EXCEPTION 'content is % bytes, more than the 1 MiB (1048576 bytes) limit', octet_length(p_content)
            USING ERRCODE = 'VS006', HINT = 'Split the text into several memories, or store a summary and keep the full text elsewhere (p_source).';
    END IF;
    RETURN p_content;
END
$$;

COMMENT ON FUNCTION vestige.check_content(text) IS
'Return the content when it is not blank and at most 1 MiB (1048576 bytes); else raise VS006.';

REVOKE EXECUTE ON FUNCTION vestige.check_content(text) FROM vestige_app;

COMMIT;
