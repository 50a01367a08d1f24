-- Deploy vestige:function_search_fts (reworked: the visibility filter of search_hybrid)
-- Full-text search alone: search_hybrid without a vector, so the text leg is written once.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- The signature changes: the previous one goes first (optional arguments are defaults, never
-- overloads).
DROP FUNCTION vestige.search_fts(text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean);

-- why: definer like every API function; visibility is applied inside search_hybrid.
CREATE FUNCTION vestige.search_fts(
    p_query              text             DEFAULT NULL,
    p_limit              integer          DEFAULT 10,
    p_tags               text[]           DEFAULT NULL,
    p_node_types         text[]           DEFAULT NULL,
    p_domains            text[]           DEFAULT NULL,
    p_codebase           text             DEFAULT NULL,
    p_created_after      timestamptz      DEFAULT NULL,
    p_created_before     timestamptz      DEFAULT NULL,
    p_min_retention      double precision DEFAULT NULL,
    p_include_superseded boolean          DEFAULT false,
    p_visibility         text             DEFAULT NULL
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
    SELECT h.id, h.content, h.node_type, h.tags, h.fts_score::double precision, h.fts_rank, h.fts_score,
           h.vector_rank, h.vector_similarity, h.retention, h.created_at
      FROM vestige.search_hybrid(
               p_query => p_query, p_limit => p_limit, p_depth => p_limit,
               p_tags => p_tags, p_node_types => p_node_types, p_domains => p_domains, p_codebase => p_codebase,
               p_created_after => p_created_after, p_created_before => p_created_before,
               p_min_retention => p_min_retention, p_include_superseded => p_include_superseded,
               p_visibility => p_visibility) AS h
     ORDER BY h.fts_rank;
$$;

COMMENT ON FUNCTION vestige.search_fts(text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean, text) IS
'Search the memories visible to the caller by words alone: the text leg of search_hybrid (websearch syntax, AND of the terms, OR of them when the AND finds fewer than p_limit rows, ranked by ts_rank). score is the ts_rank score. Empty or stop-word-only text gives an empty result. Filters and errors as search_hybrid.';

GRANT EXECUTE ON FUNCTION vestige.search_fts(text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean, text) TO vestige_app;

COMMIT;
