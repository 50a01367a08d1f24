-- Revert vestige:function_search_hybrid (to @v0.1.0: an empty query searches by the vector only)
-- Hybrid search in one statement: a full-text leg and a KNN leg (pure KNN per visibility kind),
-- each ranked 1-based and cut at p_depth candidates, fused by Reciprocal Rank Fusion (sum of
-- 1 / (k + rank), k = 60) over a FULL OUTER JOIN. search_fts and search_vector are this function
-- with one input. Defaults (depth 10, ts_rank) were chosen on LoCoMo: bench/README.md.

BEGIN;
-- Load pgvector's library so its settings (hnsw.*) are known when the SET clauses below are
-- checked: an unknown setting may only be attached to a function by a superuser.
DO $$ BEGIN PERFORM '[1]'::public.vector; END $$;
SET LOCAL ROLE vestige_owner;

DROP FUNCTION vestige.search_hybrid(text, public.vector, text, integer, integer, double precision, text[], text[], text[], text,
                                    timestamptz, timestamptz, double precision, boolean, text);

-- why: definer so the visibility predicate sits in each leg's query, where the GIN, owner and
-- group indexes can serve it (under row-level security `@@` and `&&` could not use them).
CREATE FUNCTION vestige.search_hybrid(
    p_query              text             DEFAULT NULL,
    p_embedding          public.vector    DEFAULT NULL,
    p_model_hash         text             DEFAULT NULL,
    p_limit              integer          DEFAULT 10,
    p_depth              integer          DEFAULT 10,
    p_rrf_k              integer          DEFAULT 60,
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
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
-- Filtered KNN must not under-return: keep scanning the HNSW graph until enough visible rows
-- pass the filters (pgvector >= 0.8 iterative scans). ef_search is raised below to the depth,
-- and to at least 100 (HNSW recall@10 0.98 at 100k memories, bench/README.md); these SET
-- clauses restore the caller's values when the function returns.
SET hnsw.iterative_scan = 'relaxed_order'
SET hnsw.ef_search = 40
-- Plan each call for its own arguments (an empty leg, the depth, which visibility kinds are
-- read exactly); a generic plan cannot know them (bench/README.md tells what one did).
SET plan_cache_mode = 'force_custom_plan'
-- No sequential scans: every leg has an index path (HNSW; the owner, visibility and GIN
-- indexes; primary keys), and a sequential scan + sort grows with the whole table, not with
-- what the caller can see.
SET enable_seqscan = off
AS $$
DECLARE
    v_user     uuid     := vestige.current_user_id();
    v_groups   uuid[]   := vestige.current_user_groups();
    v_depth    integer;
    v_language regconfig;
    v_and      tsquery;
    v_or       tsquery;
    -- A visibility arm with fewer rows than this is searched exactly (its index, then a sort by
    -- distance): faster than walking the HNSW graph past the rows the caller cannot see, and
    -- exact. The planner does not pick that on its own: pgvector's cost model underrates how far
    -- a filtered HNSW scan walks (bench/README.md: 1% visible at 100k, 14 ms HNSW vs 1.4 ms exact).
    c_exact_below CONSTANT integer := 2000;
    v_exact_own    boolean;
    v_exact_public boolean;
    v_exact_group  boolean;
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'invalid limit %: must be between 1 and 1000', coalesce(p_limit::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Ask for 1 to 1000 results.';
    END IF;
    IF p_depth IS NULL OR p_depth NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'invalid depth %: must be between 1 and 1000', coalesce(p_depth::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'The depth is the number of candidates per leg; the default (10) was chosen on LoCoMo (bench/README.md).';
    END IF;
    IF p_rrf_k IS NULL OR p_rrf_k < 1 THEN
        RAISE EXCEPTION 'invalid RRF k %: must be at least 1', coalesce(p_rrf_k::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use the default k = 60 unless a benchmark says otherwise.';
    END IF;
    -- A leg never contributes fewer candidates than the caller asked results for.
    v_depth := greatest(p_depth, p_limit);

    IF p_embedding IS NOT NULL THEN
        PERFORM vestige.check_embedding(p_embedding, p_model_hash);
        PERFORM set_config('hnsw.ef_search', greatest(v_depth, 100)::text, true);
        -- How many rows each visibility arm holds, counted up to the threshold from the owner
        -- and visibility indexes (index-only scans that stop at the LIMIT).
        SELECT (SELECT count(*) FROM (SELECT FROM vestige.knowledge_nodes AS n
                                       WHERE n.owner_user_id = v_user
                                       LIMIT c_exact_below) AS s) < c_exact_below,
               (SELECT count(*) FROM (SELECT FROM vestige.knowledge_nodes AS n
                                       WHERE n.visibility = 'public' AND n.owner_user_id <> v_user
                                       LIMIT c_exact_below) AS s) < c_exact_below,
               (SELECT count(*) FROM (SELECT FROM vestige.knowledge_nodes AS n
                                       WHERE n.visibility = 'group' AND n.shared_with_groups && v_groups
                                         AND n.owner_user_id <> v_user
                                       LIMIT c_exact_below) AS s) < c_exact_below
          INTO v_exact_own, v_exact_public, v_exact_group;
    END IF;

    -- The text leg: websearch syntax, AND of the terms; when that finds fewer than the depth,
    -- the OR of the same lexemes replaces it (natural-language questions rarely match every term).
    SELECT s.fts_language INTO v_language FROM vestige.settings AS s;
    IF p_query IS NOT NULL AND length(to_tsvector(v_language, p_query)) > 0 THEN
        v_and := websearch_to_tsquery(v_language, p_query);
        v_or := (SELECT string_agg('''' || replace(replace(l, '\', '\\'), '''', '''''') || '''', ' | ')
                   FROM unnest(tsvector_to_array(to_tsvector(v_language, p_query))) AS l)::tsquery;
        IF numnode(v_and) = 0 THEN
            v_and := NULL;
        END IF;
    END IF;

    RETURN QUERY
    WITH knn_candidates AS MATERIALIZED (
        -- The KNN leg, one pure KNN per kind of visibility: filters, ORDER BY distance, LIMIT
        -- depth; no join, no second sort key. The three arms are vestige.is_visible split into
        -- disjoint parts (own; public of others; shared with one of the caller's groups, of
        -- others), so each gets its own plan: a caller who sees few rows of a kind reads them
        -- exactly through the owner, public or group index; a kind with many rows walks the HNSW
        -- index, with iterative scans so the filters never starve it. An arm with fewer than
        -- c_exact_below rows is ordered by the distance + 0, which no index can provide, so it
        -- is searched exactly (custom plans fold the CASE). pgTAP checks that the arms together
        -- are exactly is_visible.
        SELECT a.id, a.distance
          FROM ((SELECT c.id, c.embedding <=> p_embedding AS distance
                   FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                  p_created_before, p_min_retention, p_include_superseded) AS c
                  WHERE p_embedding IS NOT NULL AND c.embedding IS NOT NULL
                    AND c.owner_user_id = v_user
                  ORDER BY CASE WHEN v_exact_own THEN (c.embedding <=> p_embedding) + 0
                                ELSE c.embedding <=> p_embedding END
                  LIMIT v_depth)
                UNION ALL
                (SELECT c.id, c.embedding <=> p_embedding
                   FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                  p_created_before, p_min_retention, p_include_superseded) AS c
                  WHERE p_embedding IS NOT NULL AND c.embedding IS NOT NULL
                    AND c.visibility = 'public' AND c.owner_user_id <> v_user
                  ORDER BY CASE WHEN v_exact_public THEN (c.embedding <=> p_embedding) + 0
                                ELSE c.embedding <=> p_embedding END
                  LIMIT v_depth)
                UNION ALL
                (SELECT c.id, c.embedding <=> p_embedding
                   FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                  p_created_before, p_min_retention, p_include_superseded) AS c
                  WHERE p_embedding IS NOT NULL AND c.embedding IS NOT NULL
                    AND c.visibility = 'group' AND c.shared_with_groups && v_groups AND c.owner_user_id <> v_user
                  ORDER BY CASE WHEN v_exact_group THEN (c.embedding <=> p_embedding) + 0
                                ELSE c.embedding <=> p_embedding END
                  LIMIT v_depth)) AS a
         ORDER BY a.distance
         LIMIT v_depth
    ),
    knn AS (
        -- relaxed_order may return near-ties out of order: rank by the exact distance.
        SELECT k.id, k.distance, row_number() OVER (ORDER BY k.distance, k.id) AS rank
          FROM knn_candidates AS k
    ),
    text_matches AS MATERIALIZED (
        -- One scan for the text leg: every candidate matching the OR of the lexemes (a superset
        -- of the AND matches), marked with whether it also matches the AND query.
        SELECT c.id, c.search_tsv, c.search_tsv @@ v_and AS matches_all
          FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                         p_created_before, p_min_retention, p_include_superseded) AS c
         WHERE c.search_tsv @@ v_or
           AND vestige.is_visible(c.visibility, c.owner_user_id, c.shared_with_groups, v_user, v_groups)
    ),
    text_query AS (
        -- The AND query when it finds at least the depth, else the OR query.
        SELECT CASE WHEN (SELECT count(*) FROM text_matches AS m WHERE m.matches_all) >= v_depth
                    THEN v_and ELSE v_or END AS query
    ),
    text_scored AS (
        SELECT m.id, ts_rank(m.search_tsv, q.query) AS fts_score
          FROM text_matches AS m
         CROSS JOIN text_query AS q
         WHERE m.search_tsv @@ q.query
    ),
    fts AS (
        SELECT r.id, r.fts_score, r.rank
          FROM (SELECT t.id, t.fts_score, row_number() OVER (ORDER BY t.fts_score DESC, t.id) AS rank
                  FROM text_scored AS t) AS r
         WHERE r.rank <= v_depth
    ),
    fused AS (
        SELECT coalesce(f.id, k.id) AS id,
               coalesce(1.0 / (p_rrf_k + f.rank), 0.0) + coalesce(1.0 / (p_rrf_k + k.rank), 0.0) AS score,
               f.rank::integer AS fts_rank,
               f.fts_score,
               k.rank::integer AS vector_rank,
               1.0 - k.distance AS vector_similarity
          FROM fts AS f
          FULL OUTER JOIN knn AS k ON k.id = f.id
    )
    SELECT n.id, n.content, n.node_type, n.tags,
           fu.score::double precision, fu.fts_rank, fu.fts_score, fu.vector_rank, fu.vector_similarity,
           vestige.retention_now(n.retrieval_strength, n.storage_strength, n.last_accessed, s.stability, now()),
           n.created_at
      FROM fused AS fu
      JOIN vestige.knowledge_nodes AS n ON n.id = fu.id
      LEFT JOIN vestige.scheduling AS s ON s.memory_id = n.id
     ORDER BY fu.score DESC, least(fu.fts_rank, fu.vector_rank), n.id
     LIMIT p_limit;
END
$$;

COMMENT ON FUNCTION vestige.search_hybrid(text, public.vector, text, integer, integer, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean) IS
'Search the memories visible to the caller by words and meaning, fused by Reciprocal Rank Fusion: score = sum over legs of 1 / (p_rrf_k + rank), ranks 1-based, at most max(p_depth, p_limit) candidates per leg (default depth 10, chosen on LoCoMo). The text leg uses websearch syntax with the AND of the terms, replaced by the OR of the same terms when the AND finds fewer than the depth, ranked by ts_rank (content weighs more than type, type more than tags); the vector leg is an HNSW cosine KNN with iterative scans so filters never starve it. Empty text gives vector-only results, no vector text-only results, neither an empty result. Filters: tags (any of), node types, domains (any of), codebase, created range [after, before), minimum read-time retention, superseded memories excluded unless asked. Returns id, content, node_type, tags, fused score, fts rank and score, vector rank and cosine similarity, read-time retention and created_at, never the embedding. Errors: VS006 limit or depth outside 1-1000, vector checks VS002/VS003/VS004/VS007.';

GRANT EXECUTE ON FUNCTION vestige.search_hybrid(text, public.vector, text, integer, integer, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean) TO vestige_app;

COMMIT;
