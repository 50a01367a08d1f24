-- Deploy vestige:function_classify
-- The domains nearest to a vector: cosine similarity to each domain centroid.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer because domains have no table grants; the vector goes through the registry check.
CREATE FUNCTION vestige.classify(
    p_embedding  public.vector,
    p_model_hash text,
    p_limit      integer DEFAULT 3
)
RETURNS TABLE (
    domain_id  text,
    label      text,
    similarity double precision
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM vestige.current_user_id();
    IF p_embedding IS NULL THEN
        RAISE EXCEPTION 'no vector to classify'
            USING ERRCODE = 'VS006', HINT = 'Pass the embedding of the text to classify.';
    END IF;
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'invalid limit %: must be between 1 and 1000', coalesce(p_limit::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Pass p_limit between 1 and 1000 (default 3).';
    END IF;
    PERFORM vestige.check_embedding(p_embedding, p_model_hash);

    RETURN QUERY
    SELECT d.id, d.label, 1 - (d.centroid <=> p_embedding)
      FROM vestige.domains AS d
     WHERE d.centroid IS NOT NULL
     ORDER BY 3 DESC, 1
     LIMIT p_limit;
END
$$;

COMMENT ON FUNCTION vestige.classify(public.vector, text, integer) IS
'Rank the domains that have a centroid by cosine similarity (1 - cosine distance) to the vector and return the best p_limit (1-1000, default 3) as domain_id, label, similarity, ordered by similarity desc, then id. Errors: VS001 no caller identity, VS006 no vector or bad limit, VS002/VS003/VS004/VS007 vector checks.';

GRANT EXECUTE ON FUNCTION vestige.classify(public.vector, text, integer) TO vestige_app;

COMMIT;
