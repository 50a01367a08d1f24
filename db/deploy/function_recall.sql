-- Deploy vestige:function_recall (reworked: every filter of search_hybrid, and its query rule;
-- recency by when a memory happened; ties in the relevance order; the visibility filter, and
-- each memory's visibility)
-- Recall in one call (DESIGN §4.8): hybrid search for a pool of candidates, the final blend of
-- relevance, importance and recency, then the testing effect on the returned memories the
-- caller owns. The blend weights are the constants at the top of the function, and only there.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- The signature changes: the previous one goes first (optional arguments are defaults, never
-- overloads).
DROP FUNCTION vestige.recall(text, public.vector, text, integer, text[], text[], text, double precision, boolean);

-- why: definer so the blend reads the strengths of visible memories only and the touch changes
-- only the caller's own memories, whatever the table grants.
CREATE FUNCTION vestige.recall(
    p_query              text             DEFAULT NULL,
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
    p_include_superseded boolean          DEFAULT false,
    p_visibility         text             DEFAULT NULL,
    p_touch              boolean          DEFAULT true
)
RETURNS TABLE (
    id                uuid,
    content           text,
    node_type         text,
    tags              text[],
    codebase          text,
    visibility        text,
    score             double precision,
    relevance         double precision,
    importance        double precision,
    recency           double precision,
    fused_score       double precision,
    fts_rank          integer,
    vector_rank       integer,
    vector_similarity double precision,
    retention         double precision,
    created_at        timestamptz,
    updated_at        timestamptz,
    last_accessed     timestamptz
)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    -- The blend, here only (the COMMENT states it; pgTAP checks it):
    -- score = 0.5 relevance + 0.3 importance + 0.2 exp(-age / 30 days).
    c_relevance_weight  CONSTANT double precision := 0.5;
    c_importance_weight CONSTANT double precision := 0.3;
    c_recency_weight    CONSTANT double precision := 0.2;
    c_recency_days      CONSTANT double precision := 30;
    v_pool   integer;
    v_ids    uuid[] := '{}';
    v_row    record;
BEGIN
    PERFORM vestige.check_search(p_query, p_limit);
    -- A pool larger than the limit, so the blend can lift a memory the fusion ranked lower.
    v_pool := least(greatest(3 * p_limit, 30), 1000);

    FOR v_row IN
        SELECT b.*,
               c_relevance_weight * b.relevance + c_importance_weight * b.importance
                   + c_recency_weight * b.recency AS blended
          FROM (SELECT h.id, n.content, n.node_type, n.tags, n.codebase, n.visibility,
                       h.score / max(h.score) OVER () AS relevance,
                       n.retention_strength AS importance,
                       -- Event time: when it happened (valid_from), else when it was stored. Past
                       -- 700 months the exponent is cut (exp(-700) ~ 1e-304): a memory of the
                       -- year 1 has recency ~0, not a floating-point underflow.
                       exp(-least(greatest(extract(epoch FROM now() - coalesce(n.valid_from, n.created_at))::double precision, 0)
                                  / (c_recency_days * 86400), 700)) AS recency,
                       h.score AS fused_score, h.fts_rank, h.vector_rank, h.vector_similarity, h.retention,
                       n.created_at, n.updated_at, n.last_accessed, h.ordinality AS position
                  FROM vestige.search_hybrid(
                           p_query => p_query, p_embedding => p_embedding, p_model_hash => p_model_hash,
                           p_limit => v_pool, p_tags => p_tags, p_node_types => p_node_types,
                           p_domains => p_domains, p_codebase => p_codebase,
                           p_created_after => p_created_after, p_created_before => p_created_before,
                           p_min_retention => p_min_retention,
                           p_include_superseded => p_include_superseded,
                           p_visibility => p_visibility) WITH ORDINALITY AS h
                  -- search_hybrid returns visible memories only: the join reads their other columns.
                  JOIN vestige.knowledge_nodes AS n ON n.id = h.id) AS b
         -- Equal blends keep search_hybrid's order: with importance and recency all equal, the
         -- order is exactly the relevance order.
         ORDER BY blended DESC, b.position
         LIMIT p_limit
    LOOP
        id                := v_row.id;
        content           := v_row.content;
        node_type         := v_row.node_type;
        tags              := v_row.tags;
        codebase          := v_row.codebase;
        visibility        := v_row.visibility;
        score             := v_row.blended;
        relevance         := v_row.relevance;
        importance        := v_row.importance;
        recency           := v_row.recency;
        fused_score       := v_row.fused_score;
        fts_rank          := v_row.fts_rank;
        vector_rank       := v_row.vector_rank;
        vector_similarity := v_row.vector_similarity;
        retention         := v_row.retention;
        created_at        := v_row.created_at;
        updated_at        := v_row.updated_at;
        last_accessed     := v_row.last_accessed;
        RETURN NEXT;
        v_ids := v_ids || v_row.id;
    END LOOP;

    -- The testing effect, after the rows are taken: the caller sees the values before it.
    IF p_touch THEN
        PERFORM vestige.touch_memories(v_ids);
    END IF;
END
$$;

COMMENT ON FUNCTION vestige.recall(text, public.vector, text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean, text, boolean) IS
'Recall the memories visible to the caller in one call: search_hybrid with the same text, vector and filters (tags, node types, domains, codebase, created range [after, before), minimum retention, superseded memories only when asked, visibility) for a pool of max(3 x p_limit, 30) candidates (at most 1000), then the blend score = 0.5 x relevance + 0.3 x importance + 0.2 x recency, where relevance = fused score / the best fused score of the pool, importance = retention_strength and recency = exp(-age / 30 days) with age = now() - when the memory happened (valid_from, else created_at; never negative); the best p_limit (1-1000, default 10) by score, ties in search_hybrid''s order (so with importance and recency equal for all, the order is the relevance order). Then, when p_touch (default true), the testing effect of touch_memories on the returned memories the caller owns (shared and public memories of others are returned unchanged); the rows show the values before it. Returns each memory''s visibility, the blend and its parts, the fused score, ranks and cosine similarity of the search, read-time retention and the timestamps, never the embedding. Errors: VS001 no caller identity, VS006 blank query or limit outside 1-1000 (vestige.check_search) or a visibility filter not private, group or public, VS002/VS003/VS004/VS007 vector checks.';

GRANT EXECUTE ON FUNCTION vestige.recall(text, public.vector, text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean, text, boolean) TO vestige_app;

COMMIT;
