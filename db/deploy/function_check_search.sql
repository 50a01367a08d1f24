-- Deploy vestige:function_check_search
-- The rule for a search's query and limit, in one place: search_hybrid (and so search_fts,
-- search_vector and recall) applies it, and the doors call it before they embed the query, so
-- an empty query or a bad limit is refused before a model loads, with the same words.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.check_search(p_query text, p_limit integer)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
BEGIN
    IF p_query IS NOT NULL AND p_query !~ '\S' THEN
        RAISE EXCEPTION 'the query is empty'
            USING ERRCODE = 'VS006', HINT = 'Say what to look for: words, a question or a description.';
    END IF;
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'invalid limit %: must be between 1 and 1000', coalesce(p_limit::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Ask for 1 to 1000 results.';
    END IF;
END
$$;

COMMENT ON FUNCTION vestige.check_search(text, integer) IS
'Raise VS006 when the query is given but blank (empty or only white space; a NULL query is a vector-only search) or the limit is not between 1 and 1000; else return nothing. search_hybrid, search_fts, search_vector and recall apply it; a client calls it before embedding the query.';

GRANT EXECUTE ON FUNCTION vestige.check_search(text, integer) TO vestige_app;

COMMIT;
