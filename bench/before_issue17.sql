-- The search of before issue 17, for bench/locomo.py's "before" arms: vestige.search_hybrid
-- (Reciprocal Rank Fusion of the two legs' ranks, k = 60) and vestige.recall (a pool of
-- max(3 x limit, 30) from it, then 0.5 relevance + 0.3 importance + 0.2 recency by last access)
-- as they were on main at 4d89e39, in a schema of their own. Frozen: the benchmark compares the
-- shipped functions against these in the same run. Created by the benchmark as the superuser,
-- in its own database only; never part of the product.

BEGIN;
DO $$ BEGIN PERFORM '[1]'::public.vector; END $$;
CREATE SCHEMA bench_before;
GRANT USAGE ON SCHEMA bench_before TO vestige_app;

CREATE FUNCTION bench_before.search_hybrid(
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
-- What a caller's plan should expect (the default limit): a few rows, read by primary key.
ROWS 10
SET search_path = vestige, pg_catalog, public, pg_temp
-- Filtered KNN must not under-return: keep scanning the HNSW graph until enough visible rows
-- pass the filters (pgvector >= 0.8 iterative scans). ef_search is raised below to the depth,
-- and to at least 100 (HNSW recall@10 0.98 at 100k memories, bench/README.md); these SET
-- clauses restore the caller's values when the function returns.
SET hnsw.iterative_scan = 'relaxed_order'
SET hnsw.ef_search = 40
-- Each statement below is planned once per session and its plan kept (a generic plan): each is
-- written so that one plan is right for every caller. The one statement whose best plan depends
-- on the caller (the capped counts) is planned per call. Replanning the whole search every call
-- cost ~2.5 ms (bench/README.md).
SET plan_cache_mode = 'force_generic_plan'
-- The HNSW arms turn sorting off while they run (and are planned), so that no plan sorts a
-- large kind; this clause restores the caller's value when the function returns.
SET enable_sort = on
-- No sequential scans: every leg has an index path (HNSW; the owner, visibility and GIN
-- indexes; primary keys), and a sequential scan + sort grows with the whole table, not with
-- what the caller can see.
SET enable_seqscan = off
AS $$
DECLARE
    v_user      uuid     := vestige.current_user_id();
    v_groups    uuid[]   := vestige.current_user_groups();
    v_depth     integer;
    v_language  regconfig;
    v_and       tsquery;
    v_or        tsquery;
    -- A visibility arm with fewer rows than this is searched exactly (its index, then a sort by
    -- distance): faster than walking the HNSW graph past the rows the caller cannot see, and
    -- exact. The planner does not pick that on its own: pgvector's cost model underrates how far
    -- a filtered HNSW scan walks (bench/README.md: 1% visible at 100k, 14 ms HNSW vs 1.4 ms exact).
    c_exact_below CONSTANT integer := 2000;
    v_exact_own    boolean;
    v_exact_public boolean;
    v_exact_group  boolean;
    -- The KNN leg's candidates, each arm's appended: ids and cosine distances.
    v_knn_ids       uuid[]             := '{}';
    v_knn_distances double precision[] := '{}';
    v_arm_ids       uuid[];
    v_arm_distances double precision[];
    -- The text leg's result, best first: ids and ts_rank scores.
    v_fts_ids       uuid[]             := '{}';
    v_fts_scores    real[]             := '{}';
BEGIN
    PERFORM vestige.check_search(p_query, p_limit);
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
        -- and visibility indexes (index scans that stop at the LIMIT). Planned for this caller:
        -- a plan for any caller reads the group index whole for a caller in a large group.
        PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
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
        PERFORM set_config('plan_cache_mode', 'force_generic_plan', true);

        -- The KNN leg, one pure KNN per kind of visibility: filters, ORDER BY distance, LIMIT
        -- depth; no join, no second sort key. The three arms are vestige.is_visible split into
        -- disjoint parts (own; public of others; shared with one of the caller's groups, of
        -- others; pgTAP checks that together they are exactly is_visible). Each arm is one of two
        -- statements: exact (each row's distance computed once, behind OFFSET 0, then sorted by
        -- the distance + 0, which no index provides, so its rows are read through the owner,
        -- visibility or group index) when it holds fewer than c_exact_below rows; else a walk of the HNSW index, with iterative scans so the
        -- filters never starve it, run with sorting off so that no plan sorts a large kind.
        IF v_exact_own THEN
            SELECT array_agg(a.id), array_agg(a.distance) INTO v_arm_ids, v_arm_distances
              FROM (SELECT d.id, d.distance
                      FROM (SELECT c.id, c.embedding <=> p_embedding AS distance
                              FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                             p_created_before, p_min_retention, p_include_superseded) AS c
                             WHERE c.embedding IS NOT NULL AND c.owner_user_id = v_user
                            OFFSET 0) AS d
                     ORDER BY d.distance + 0
                     LIMIT v_depth) AS a;
        ELSE
            PERFORM set_config('enable_sort', 'off', true);
            SELECT array_agg(a.id), array_agg(a.distance) INTO v_arm_ids, v_arm_distances
              FROM (SELECT c.id, c.embedding <=> p_embedding AS distance
                      FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                     p_created_before, p_min_retention, p_include_superseded) AS c
                     WHERE c.embedding IS NOT NULL AND c.owner_user_id = v_user
                     ORDER BY c.embedding <=> p_embedding
                     LIMIT v_depth) AS a;
            PERFORM set_config('enable_sort', 'on', true);
        END IF;
        v_knn_ids := v_knn_ids || coalesce(v_arm_ids, '{}');
        v_knn_distances := v_knn_distances || coalesce(v_arm_distances, '{}');

        IF v_exact_public THEN
            SELECT array_agg(a.id), array_agg(a.distance) INTO v_arm_ids, v_arm_distances
              FROM (SELECT d.id, d.distance
                      FROM (SELECT c.id, c.embedding <=> p_embedding AS distance
                              FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                             p_created_before, p_min_retention, p_include_superseded) AS c
                             WHERE c.embedding IS NOT NULL AND c.visibility = 'public' AND c.owner_user_id <> v_user
                            OFFSET 0) AS d
                     ORDER BY d.distance + 0
                     LIMIT v_depth) AS a;
        ELSE
            PERFORM set_config('enable_sort', 'off', true);
            SELECT array_agg(a.id), array_agg(a.distance) INTO v_arm_ids, v_arm_distances
              FROM (SELECT c.id, c.embedding <=> p_embedding AS distance
                      FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                     p_created_before, p_min_retention, p_include_superseded) AS c
                     WHERE c.embedding IS NOT NULL AND c.visibility = 'public' AND c.owner_user_id <> v_user
                     ORDER BY c.embedding <=> p_embedding
                     LIMIT v_depth) AS a;
            PERFORM set_config('enable_sort', 'on', true);
        END IF;
        v_knn_ids := v_knn_ids || coalesce(v_arm_ids, '{}');
        v_knn_distances := v_knn_distances || coalesce(v_arm_distances, '{}');

        IF v_exact_group THEN
            SELECT array_agg(a.id), array_agg(a.distance) INTO v_arm_ids, v_arm_distances
              FROM (SELECT d.id, d.distance
                      FROM (SELECT c.id, c.embedding <=> p_embedding AS distance
                              FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                             p_created_before, p_min_retention, p_include_superseded) AS c
                             WHERE c.embedding IS NOT NULL AND c.visibility = 'group' AND c.shared_with_groups && v_groups
                           AND c.owner_user_id <> v_user
                            OFFSET 0) AS d
                     ORDER BY d.distance + 0
                     LIMIT v_depth) AS a;
        ELSE
            PERFORM set_config('enable_sort', 'off', true);
            SELECT array_agg(a.id), array_agg(a.distance) INTO v_arm_ids, v_arm_distances
              FROM (SELECT c.id, c.embedding <=> p_embedding AS distance
                      FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                     p_created_before, p_min_retention, p_include_superseded) AS c
                     WHERE c.embedding IS NOT NULL AND c.visibility = 'group' AND c.shared_with_groups && v_groups
                       AND c.owner_user_id <> v_user
                     ORDER BY c.embedding <=> p_embedding
                     LIMIT v_depth) AS a;
            PERFORM set_config('enable_sort', 'on', true);
        END IF;
        v_knn_ids := v_knn_ids || coalesce(v_arm_ids, '{}');
        v_knn_distances := v_knn_distances || coalesce(v_arm_distances, '{}');
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

        -- The text leg, planned for this caller: its visibility test can use the owner and group
        -- indexes with the text index, or not, depending on how much of the table the caller sees.
        WITH text_matches AS MATERIALIZED (
            -- One scan: every candidate matching the OR of the lexemes (a superset of the AND
            -- matches), marked with whether it also matches the AND query.
            SELECT m.id, m.search_tsv, m.search_tsv @@ v_and AS matches_all
              FROM (SELECT c.id, c.search_tsv, c.visibility, c.owner_user_id, c.shared_with_groups
                      FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                     p_created_before, p_min_retention, p_include_superseded) AS c
                     WHERE c.search_tsv @@ v_or
                    OFFSET 0) AS m
             WHERE vestige.is_visible(m.visibility, m.owner_user_id, m.shared_with_groups, v_user, v_groups)
        ),
        text_query AS (
            -- The AND query when it finds at least the depth, else the OR query.
            SELECT CASE WHEN (SELECT count(*) FROM text_matches AS m WHERE m.matches_all) >= v_depth
                        THEN v_and ELSE v_or END AS query
        )
        SELECT array_agg(r.id ORDER BY r.rank), array_agg(r.fts_score ORDER BY r.rank)
          INTO v_fts_ids, v_fts_scores
          FROM (SELECT m.id, ts_rank(m.search_tsv, q.query) AS fts_score,
                       row_number() OVER (ORDER BY ts_rank(m.search_tsv, q.query) DESC, m.id) AS rank
                  FROM text_matches AS m
                 CROSS JOIN text_query AS q
                 WHERE m.search_tsv @@ q.query) AS r
         WHERE r.rank <= v_depth;
    END IF;

    RETURN QUERY
    WITH knn AS (
        -- The depth nearest of the arms' candidates, ranked by the exact distance (relaxed_order
        -- may return near-ties out of order).
        SELECT k.id, k.distance, row_number() OVER (ORDER BY k.distance, k.id) AS rank
          FROM (SELECT u.id, u.distance
                  FROM unnest(v_knn_ids, v_knn_distances) AS u(id, distance)
                 ORDER BY u.distance, u.id
                 LIMIT v_depth) AS k
    ),
    fts AS (
        SELECT u.id, u.fts_score, u.rank
          FROM unnest(v_fts_ids, v_fts_scores) WITH ORDINALITY AS u(id, fts_score, rank)
    ),
    fused AS MATERIALIZED (
        -- The best p_limit by fused score; ties by the better of the two ranks, then id.
        SELECT coalesce(f.id, k.id) AS id,
               coalesce(1.0 / (p_rrf_k + f.rank), 0.0) + coalesce(1.0 / (p_rrf_k + k.rank), 0.0) AS score,
               f.rank::integer AS fts_rank,
               f.fts_score,
               k.rank::integer AS vector_rank,
               1.0 - k.distance AS vector_similarity
          FROM fts AS f
          FULL OUTER JOIN knn AS k ON k.id = f.id
         ORDER BY 2 DESC, least(f.rank, k.rank), 1
         LIMIT p_limit
    )
    SELECT n.id, n.content, n.node_type, n.tags,
           fu.score::double precision, fu.fts_rank, fu.fts_score, fu.vector_rank, fu.vector_similarity,
           vestige.retention_now(n.retrieval_strength, n.storage_strength, n.last_accessed, s.stability, now()),
           n.created_at
      FROM fused AS fu
      JOIN vestige.knowledge_nodes AS n ON n.id = fu.id
      LEFT JOIN vestige.scheduling AS s ON s.memory_id = n.id
     ORDER BY fu.score DESC, least(fu.fts_rank, fu.vector_rank), n.id;
END
$$;


CREATE FUNCTION bench_before.recall(
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
    p_touch              boolean          DEFAULT true
)
RETURNS TABLE (
    id                uuid,
    content           text,
    node_type         text,
    tags              text[],
    codebase          text,
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
          FROM (SELECT h.id, n.content, n.node_type, n.tags, n.codebase,
                       h.score / max(h.score) OVER () AS relevance,
                       n.retention_strength AS importance,
                       exp(-greatest(extract(epoch FROM now() - coalesce(n.last_accessed, n.created_at))::double precision, 0)
                           / (c_recency_days * 86400)) AS recency,
                       h.score AS fused_score, h.fts_rank, h.vector_rank, h.vector_similarity, h.retention,
                       n.created_at, n.updated_at, n.last_accessed
                  FROM bench_before.search_hybrid(
                           p_query => p_query, p_embedding => p_embedding, p_model_hash => p_model_hash,
                           p_limit => v_pool, p_tags => p_tags, p_node_types => p_node_types,
                           p_domains => p_domains, p_codebase => p_codebase,
                           p_created_after => p_created_after, p_created_before => p_created_before,
                           p_min_retention => p_min_retention,
                           p_include_superseded => p_include_superseded) AS h
                  -- search_hybrid returns visible memories only: the join reads their other columns.
                  JOIN vestige.knowledge_nodes AS n ON n.id = h.id) AS b
         ORDER BY blended DESC, b.id
         LIMIT p_limit
    LOOP
        id                := v_row.id;
        content           := v_row.content;
        node_type         := v_row.node_type;
        tags              := v_row.tags;
        codebase          := v_row.codebase;
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


GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA bench_before TO vestige_app;

COMMIT;
