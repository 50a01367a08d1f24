-- Revert vestige:function_search_vector (to @v0.2.0: no visibility filter)
-- Vector search alone: search_hybrid without text, so the KNN leg is written once.

BEGIN;
SET LOCAL ROLE vestige_owner;

DROP FUNCTION vestige.search_vector(public.vector, text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean, text);

-- why: definer like every API function; visibility is applied inside search_hybrid.
CREATE FUNCTION vestige.search_vector(
    p_embedding          public.vector    DEFAULT NULL,
    p_model_hash         text             DEFAULT NULL,
    p_limit              integer          DEFAULT 10,
    p_tags               text[]           DEFAULT NULL,
    p_node_types         text[]           DEFAULT NULL,
    p_domains            text[]           DEFAULT NULL,
    p_codebase           text             DEFAULT NULL,
    p_created_after      timestamptz      DEFAULT NULL,
    p_created_before     timestamptz      DEFAULT NULL,
    p_min_retention      double precision DEFAULT NULL,
    p_include_superseded boolean          DEFAULT false
)
RETURNS TABLE (
    id                uuid,
    content           text,
    node_type         text,
    tags              text[],
    score             double precision,
    fts_rank          integer,
    fts_score         real,
    vector_rank       integer,
    vector_similarity double precision,
    retention         double precision,
    created_at        timestamptz
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
    SELECT h.id, h.content, h.node_type, h.tags, h.vector_similarity, h.fts_rank, h.fts_score,
           h.vector_rank, h.vector_similarity, h.retention, h.created_at
      FROM vestige.search_hybrid(
               p_embedding => p_embedding, p_model_hash => p_model_hash, p_limit => p_limit, p_depth => p_limit,
               p_tags => p_tags, p_node_types => p_node_types, p_domains => p_domains, p_codebase => p_codebase,
               p_created_after => p_created_after, p_created_before => p_created_before,
               p_min_retention => p_min_retention, p_include_superseded => p_include_superseded) AS h
     ORDER BY h.vector_rank;
$$;

COMMENT ON FUNCTION vestige.search_vector(public.vector, text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean) IS
'Search the memories visible to the caller by meaning alone: the KNN leg of search_hybrid (HNSW cosine with iterative scans, so filters never starve it). score is the cosine similarity. No vector gives an empty result. The vector must belong to the registered model (VS002/VS003/VS004/VS007). Filters and other errors as search_hybrid.';

GRANT EXECUTE ON FUNCTION vestige.search_vector(public.vector, text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean) TO vestige_app;

COMMIT;
