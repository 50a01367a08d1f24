-- Deploy vestige:function_check_tags
-- The one tag rule, for every door (SQL, CLI, MCP, REST): at most 32 tags, each 1 to 64
-- characters and not blank. The MCP tools' schemas advertise the same numbers.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.check_tags(p_tags text[])
RETURNS text[]
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    c_max_tags   CONSTANT integer := 32;
    c_max_length CONSTANT integer := 64;
    v_bad text;
BEGIN
    IF cardinality(p_tags) > c_max_tags THEN
        RAISE EXCEPTION '% tags, more than % allowed', cardinality(p_tags), c_max_tags
            USING ERRCODE = 'VS006', HINT = 'Keep the few tags you will search by; put the rest in the content or the metadata.';
    END IF;
    SELECT t INTO v_bad FROM unnest(p_tags) AS t WHERE t IS NULL OR t !~ '\S' OR length(t) > c_max_length LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'invalid tag %', CASE WHEN v_bad IS NULL THEN 'NULL' WHEN v_bad !~ '\S' THEN '(blank)' ELSE quote_literal(left(v_bad, 20) || '...') || ' (' || length(v_bad) || ' characters)' END
            USING ERRCODE = 'VS006', HINT = 'A tag is 1 to 64 characters and not blank.';
    END IF;
    RETURN coalesce(p_tags, '{}');
END
$$;

COMMENT ON FUNCTION vestige.check_tags(text[]) IS
'Return the tags (NULL: none) when there are at most 32, each 1 to 64 characters and not blank; else raise VS006. The one tag rule: insert_memory, update_memory and ingest apply it.';

GRANT EXECUTE ON FUNCTION vestige.check_tags(text[]) TO vestige_app;

COMMIT;
