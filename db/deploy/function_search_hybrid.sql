-- Deploy vestige:function_search_hybrid (reworked: a blank query is refused, by vestige.check_search;
-- each statement is planned once per session; the legs' scores fused, not their ranks; an arm
-- that is most of the table walks the HNSW graph; the text leg keeps its best by a top-N sort;
-- a visibility filter; the text leg ranks the narrow rows of memory_words; the caller resolved once)
-- Hybrid search: a full-text leg and a KNN leg (pure KNN per visibility kind), each cut at
-- p_depth candidates; every candidate of either leg is scored in both (its ts_rank and its
-- cosine similarity), and the score is the convex blend p_text_weight x ts_rank / the best
-- ts_rank + (1 - p_text_weight) x the similarity min-max scaled over the candidates. Scores
-- carry how far apart two candidates are, which ranks (Reciprocal Rank Fusion, before) threw
-- away: on LoCoMo the top of the list improved (bench/README.md). search_fts and search_vector
-- are this function with one input. Defaults (depth 10, weight 0.6, ts_rank) were chosen on
-- LoCoMo's dev split: bench/README.md.

BEGIN;
-- Load pgvector's library so its settings (hnsw.*) are known when the SET clauses below are
-- checked: an unknown setting may only be attached to a function by a superuser.
DO $$ BEGIN PERFORM '[1]'::public.vector; END $$;
SET LOCAL ROLE vestige_owner;

-- why: definer so the visibility predicate sits in each leg's query, where the GIN, owner and
-- group indexes can serve it (under row-level security `@@` and `&&` could not use them).
-- The RRF constant p_rrf_k gave way to p_text_weight: a new signature, so the old one goes.
DROP FUNCTION vestige.search_hybrid(text, public.vector, text, integer, integer, integer, text[], text[], text[], text,
                                    timestamptz, timestamptz, double precision, boolean);
CREATE FUNCTION vestige.search_hybrid(
    p_query              text             DEFAULT NULL,
    p_embedding          public.vector    DEFAULT NULL,
    p_model_hash         text             DEFAULT NULL,
    p_limit              integer          DEFAULT 10,
    p_depth              integer          DEFAULT 10,
    p_text_weight        double precision DEFAULT 0.6,
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
-- on the caller (the group arm's capped count, for a caller in a group) is planned per call.
-- Replanning the whole search every call cost ~2.5 ms (bench/README.md).
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
    v_groups    uuid[]   := vestige.groups_of_user(v_user);
    v_in_groups boolean  := coalesce(cardinality(v_groups), 0) > 0;
    -- No filter is given but the two memory_words holds itself (superseded, visibility).
    v_unfiltered boolean := p_tags IS NULL AND p_node_types IS NULL AND p_domains IS NULL AND p_codebase IS NULL
                            AND p_created_after IS NULL AND p_created_before IS NULL AND p_min_retention IS NULL;
    v_depth     integer;
    v_language  regconfig;
    v_and       tsquery;
    v_or        tsquery;
    -- A visibility arm with fewer rows than this, and less than half of the table, is searched
    -- exactly (its index, then a sort by distance): faster than walking the HNSW graph past the
    -- rows the caller cannot see, and exact. The planner does not pick that on its own:
    -- pgvector's cost model underrates how far a filtered HNSW scan walks (bench/README.md: 1%
    -- visible at 100k, 14 ms HNSW vs 1.4 ms exact). A walk costs about ef_search / the arm's
    -- share of the table, so an arm that is most of the table walks in less time than it takes
    -- to compute each of its rows' distances (1k memories, all visible: 2.2 ms exact, 1.45 HNSW).
    -- Below c_exact_always rows an arm is searched exactly whatever its share: it costs less than
    -- half a millisecond, and the results are exact.
    c_exact_below  CONSTANT integer := 2000;
    c_exact_always CONSTANT integer := 500;
    v_exact_cap    integer;
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
    -- The text query the leg used (the AND or the OR query), to score the KNN leg's candidates.
    v_text_query    tsquery;
BEGIN
    PERFORM vestige.check_search(p_query, p_limit);
    IF p_depth IS NULL OR p_depth NOT BETWEEN 1 AND 1000 THEN
        RAISE EXCEPTION 'invalid depth %: must be between 1 and 1000', coalesce(p_depth::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'The depth is the number of candidates per leg; the default (10) was chosen on LoCoMo (bench/README.md).';
    END IF;
    IF p_text_weight IS NULL OR NOT (p_text_weight BETWEEN 0 AND 1) THEN
        RAISE EXCEPTION 'invalid text weight %: must be between 0 and 1', coalesce(p_text_weight::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'The share of the words in the score; use the default 0.6 unless a benchmark says otherwise.';
    END IF;
    IF p_visibility IS NOT NULL AND p_visibility NOT IN ('private', 'group', 'public') THEN
        RAISE EXCEPTION 'invalid visibility filter %: must be private, group or public', p_visibility
            USING ERRCODE = 'VS006', HINT = 'Leave the visibility filter empty (NULL) to search every memory the caller can see.';
    END IF;
    -- A leg never contributes fewer candidates than the caller asked results for.
    v_depth := greatest(p_depth, p_limit);

    IF p_embedding IS NOT NULL THEN
        PERFORM vestige.check_embedding(p_embedding, p_model_hash);
        PERFORM set_config('hnsw.ef_search', greatest(v_depth, 100)::text, true);
        -- An arm is searched exactly when it holds fewer rows than this cap: c_exact_always,
        -- else the lesser of c_exact_below and half the table's rows as of the last ANALYZE
        -- (before the first one, reltuples is -1: unknown, so c_exact_below).
        SELECT least(c_exact_below, greatest(c_exact_always, ceil(c.reltuples / 2)))::integer INTO v_exact_cap
          FROM (SELECT CASE WHEN c.reltuples < 0 THEN 'Infinity' ELSE c.reltuples END AS reltuples
                  FROM pg_catalog.pg_class AS c
                 WHERE c.oid = 'vestige.knowledge_nodes'::regclass) AS c;
        -- How many rows the own and the public arm hold, counted up to the cap from the owner and
        -- visibility indexes (index scans that stop at the LIMIT): one plan is right for every caller.
        SELECT (SELECT count(*) FROM (SELECT FROM vestige.knowledge_nodes AS n
                                       WHERE n.owner_user_id = v_user
                                       LIMIT v_exact_cap) AS s) < v_exact_cap,
               (SELECT count(*) FROM (SELECT FROM vestige.knowledge_nodes AS n
                                       WHERE n.visibility = 'public' AND n.owner_user_id <> v_user
                                       LIMIT v_exact_cap) AS s) < v_exact_cap
          INTO v_exact_own, v_exact_public;
        -- The group arm's count, for a caller in a group (in none, the arm has no row), planned for
        -- this caller: a plan for any caller reads the group index whole for one in a large group.
        IF v_in_groups THEN
            PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
            SELECT count(*) < v_exact_cap INTO v_exact_group
              FROM (SELECT FROM vestige.knowledge_nodes AS n
                     WHERE n.visibility = 'group' AND n.shared_with_groups && v_groups
                       AND n.owner_user_id <> v_user
                     LIMIT v_exact_cap) AS s;
            PERFORM set_config('plan_cache_mode', 'force_generic_plan', true);
        END IF;

        -- The KNN leg, one pure KNN per kind of visibility: filters, ORDER BY distance, LIMIT
        -- depth; no join, no second sort key. The three arms are vestige.is_visible split into
        -- disjoint parts (own; public of others; shared with one of the caller's groups, of
        -- others; pgTAP checks that together they are exactly is_visible). Each arm is one of two
        -- statements: exact (each row's distance computed once, behind OFFSET 0, then sorted by
        -- the distance + 0, which no index provides, so its rows are read through the owner,
        -- visibility or group index) when it holds fewer rows than v_exact_cap; else a walk of
        -- the HNSW index, with iterative scans so the filters never starve it, run with sorting
        -- off so that no plan sorts a large kind.
        IF v_exact_own THEN
            SELECT array_agg(a.id), array_agg(a.distance) INTO v_arm_ids, v_arm_distances
              FROM (SELECT d.id, d.distance
                      FROM (SELECT c.id, c.embedding <=> p_embedding AS distance
                              FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase, p_created_after,
                                                             p_created_before, p_min_retention, p_include_superseded) AS c
                             WHERE c.embedding IS NOT NULL AND c.owner_user_id = v_user
                               AND (p_visibility IS NULL OR c.visibility = p_visibility)
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
                       AND (p_visibility IS NULL OR c.visibility = p_visibility)
                     ORDER BY c.embedding <=> p_embedding
                     LIMIT v_depth) AS a;
            PERFORM set_config('enable_sort', 'on', true);
        END IF;
        v_knn_ids := v_knn_ids || coalesce(v_arm_ids, '{}');
        v_knn_distances := v_knn_distances || coalesce(v_arm_distances, '{}');

        IF coalesce(p_visibility, 'public') <> 'public' THEN
            -- The visibility filter names another kind: this arm has nothing to give.
            v_arm_ids := NULL;
            v_arm_distances := NULL;
        ELSIF v_exact_public THEN
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

        IF coalesce(p_visibility, 'group') <> 'group' OR NOT v_in_groups THEN
            -- The visibility filter names another kind, or the caller is in no group: this arm
            -- has nothing to give.
            v_arm_ids := NULL;
            v_arm_distances := NULL;
        ELSIF v_exact_group THEN
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

        -- The text leg ranks the narrow rows of memory_words: the text index, then each match's
        -- visibility (one plan for every caller). Whether a memory is superseded is a column
        -- there; the other filters are search_candidates' own test, made on each match by primary
        -- key, and only when one of them is given.
        WITH text_matches AS MATERIALIZED (
            -- One scan: every memory matching the OR of the lexemes (a superset of the AND
            -- matches), marked with whether it also matches the AND query.
            SELECT w.id, w.search_tsv, w.search_tsv @@ v_and AS matches_all
              FROM vestige.memory_words AS w
             WHERE w.search_tsv @@ v_or
               AND (p_include_superseded OR NOT w.superseded)
               AND vestige.is_visible(w.visibility, w.owner_user_id, w.shared_with_groups, v_user, v_groups)
               AND (p_visibility IS NULL OR w.visibility = p_visibility)
               AND (v_unfiltered
                    OR EXISTS (SELECT FROM vestige.search_candidates(p_tags, p_node_types, p_domains, p_codebase,
                                                                     p_created_after, p_created_before, p_min_retention,
                                                                     p_include_superseded) AS c
                                WHERE c.id = w.id))
        ),
        text_query AS (
            -- The AND query when it finds at least the depth, else the OR query.
            SELECT CASE WHEN (SELECT count(*) FROM text_matches AS m WHERE m.matches_all) >= v_depth
                        THEN v_and ELSE v_or END AS query
        )
        -- The best depth by ts_rank (ties by id): ORDER BY ... LIMIT keeps only the depth best
        -- while it reads the matches (a top-N sort), where numbering every match sorted them all.
        SELECT array_agg(r.id ORDER BY r.fts_score DESC, r.id), array_agg(r.fts_score ORDER BY r.fts_score DESC, r.id),
               (SELECT q.query FROM text_query AS q)
          INTO v_fts_ids, v_fts_scores, v_text_query
          FROM (SELECT m.id, ts_rank(m.search_tsv, q.query) AS fts_score
                  FROM text_matches AS m
                 CROSS JOIN text_query AS q
                 WHERE m.search_tsv @@ q.query
                 ORDER BY 2 DESC, m.id
                 LIMIT v_depth) AS r;
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
    pool AS MATERIALIZED (
        -- Every candidate of either leg, scored in both: a candidate of one leg only gets its
        -- ts_rank under the leg's query (0 when it does not match) or its cosine similarity
        -- (none without a vector), read by primary key.
        SELECT c.id, c.fts_rank, c.vector_rank,
               coalesce(c.fts_score, CASE WHEN n.search_tsv @@ v_text_query
                                          THEN ts_rank(n.search_tsv, v_text_query)
                                          WHEN v_text_query IS NOT NULL THEN 0 END) AS text_score,
               1.0 - coalesce(c.distance, n.embedding <=> p_embedding) AS similarity
          FROM (SELECT coalesce(f.id, k.id) AS id, f.rank::integer AS fts_rank, f.fts_score,
                       k.rank::integer AS vector_rank, k.distance
                  FROM fts AS f
                  FULL OUTER JOIN knn AS k ON k.id = f.id) AS c
          JOIN vestige.knowledge_nodes AS n ON n.id = c.id
    ),
    scaled AS (
        -- Each leg's score on 0..1 over the candidates: ts_rank over the best one (0 when no
        -- candidate matches the words), the similarity min-max (1 when all are equally near).
        SELECT p.*,
               coalesce(p.text_score / nullif(max(p.text_score) OVER (), 0), 0) AS text_part,
               coalesce((p.similarity - min(p.similarity) OVER ())
                        / nullif(max(p.similarity) OVER () - min(p.similarity) OVER (), 0),
                        CASE WHEN p.similarity IS NULL THEN 0 ELSE 1 END) AS vector_part
          FROM pool AS p
    ),
    fused AS MATERIALIZED (
        -- The best p_limit by fused score; ties by the better of the two ranks, then id. With one
        -- input the score is that leg's part alone.
        SELECT sc.id,
               CASE WHEN p_embedding IS NULL THEN sc.text_part
                    WHEN v_text_query IS NULL THEN sc.vector_part
                    ELSE p_text_weight * sc.text_part + (1 - p_text_weight) * sc.vector_part END AS score,
               sc.fts_rank,
               sc.text_score::real AS fts_score,
               sc.vector_rank,
               sc.similarity AS vector_similarity
          FROM scaled AS sc
         ORDER BY 2 DESC, least(sc.fts_rank, sc.vector_rank), 1
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

COMMENT ON FUNCTION vestige.search_hybrid(text, public.vector, text, integer, integer, double precision, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean, text) IS
'Search the memories visible to the caller by words and meaning, the two legs'' scores fused: each leg gives at most max(p_depth, p_limit) candidates (default depth 10), every candidate of either leg is scored in both (ts_rank under the text leg''s query, 0 when it does not match; cosine similarity), and score = p_text_weight x ts_rank / the best ts_rank among the candidates + (1 - p_text_weight) x (similarity - the lowest) / (the highest - the lowest) among the candidates (1 when all are equally near); default weight 0.6, chosen on LoCoMo''s dev split; with only a query or only a vector, score is that leg''s part alone. Ties by the better of the two ranks, then id. The text leg uses websearch syntax with the AND of the terms, replaced by the OR of the same terms when the AND finds fewer than the depth, ranked by ts_rank (content weighs more than type, type more than tags); the vector leg is an HNSW cosine KNN with iterative scans so filters never starve it (exact for a visibility kind of fewer than 500 rows, or fewer than 2000 that are less than half of the table). A NULL query gives vector-only results (text that holds no searchable word, such as only stop words, too), no vector text-only results, neither an empty result; a blank query (empty or only white space) is refused. Filters: tags (any of), node types, domains (any of), codebase, created range [after, before), minimum read-time retention, superseded memories excluded unless asked, visibility (private, group or public: of what the caller can see, only that kind). Returns id, content, node_type, tags, fused score (0..1), fts rank (NULL outside the text leg''s candidates) and ts_rank (NULL without a query), vector rank (NULL outside the vector leg''s) and cosine similarity (NULL without a vector, or for a memory without one), read-time retention and created_at, never the embedding. Errors: VS006 blank query, limit or depth outside 1-1000 (vestige.check_search), text weight outside 0-1, visibility filter not private, group or public, vector checks VS002/VS003/VS004/VS007.';

GRANT EXECUTE ON FUNCTION vestige.search_hybrid(text, public.vector, text, integer, integer, double precision, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean, text) TO vestige_app;

COMMIT;
