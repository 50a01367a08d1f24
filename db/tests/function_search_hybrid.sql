-- pgTAP: vestige.search_hybrid — ranking, fallbacks, filters, visibility, errors, filtered HNSW.
BEGIN;
SELECT plan(58);

-- Fixtures (superuser): A owns the memories, B shares group G with A, C is a stranger.
SELECT vestige_test.user('a'), vestige_test.user('b'), vestige_test.user('c');
SELECT vestige_test.group('g', vestige_test.user('a'), ARRAY[vestige_test.user('b')]);

-- Before a model is registered, a vector cannot be searched.
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT throws_ok(
    $$SELECT * FROM vestige.search_hybrid(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS002', NULL, 'a vector search before any model is registered should raise VS002');
SELECT vestige_test.register_model();

CREATE TEMP TABLE m (name text PRIMARY KEY, id uuid) ON COMMIT DROP;
GRANT SELECT ON m TO vestige_app;
INSERT INTO m VALUES
  ('both',  vestige_test.memory(vestige_test.user('a'), 'postgres vector search engine', p_embedding => '[1,0,0]', p_tags => '{db}', p_codebase => 'vestige')),
  ('text',  vestige_test.memory(vestige_test.user('a'), 'postgres full text search tips', p_embedding => '[0,1,0]', p_tags => '{db,tips}')),
  ('vec',   vestige_test.memory(vestige_test.user('a'), 'notes about cooking pasta', p_embedding => '[0.9,0.2,0]', p_node_type => 'note')),
  ('pg3',   vestige_test.memory(vestige_test.user('a'), 'postgres postgres postgres', p_embedding => '[0,0,1]')),
  ('grp',   vestige_test.memory(vestige_test.user('a'), 'kayak trip plans for the group', 'group', ARRAY[vestige_test.group_id('g')], '[0,0.5,0.5]')),
  ('pub',   vestige_test.memory(vestige_test.user('a'), 'kayak rental prices public', 'public', '{}', '[0,0.4,0.6]')),
  ('priv',  vestige_test.memory(vestige_test.user('a'), 'kayak private diary', 'private', '{}', '[0,0.45,0.55]')),
  ('old',   vestige_test.memory(vestige_test.user('a'), 'glacier hike long ago')),
  ('super', vestige_test.memory(vestige_test.user('a'), 'glacier hike outdated plan'));
UPDATE vestige.knowledge_nodes SET created_at = '2020-01-01' WHERE id = (SELECT id FROM m WHERE name = 'old');
UPDATE vestige.knowledge_nodes SET superseded_by = (SELECT id FROM m WHERE name = 'old') WHERE id = (SELECT id FROM m WHERE name = 'super');
UPDATE vestige.knowledge_nodes SET retrieval_strength = 0.05, storage_strength = 0 WHERE id = (SELECT id FROM m WHERE name = 'text');

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('a'));

-- Ranking: a memory in both legs beats one in a single leg.
SELECT is(
    (SELECT id FROM vestige.search_hybrid(p_query => 'postgres vector search', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash()) LIMIT 1),
    (SELECT id FROM m WHERE name = 'both'),
    'a memory matching both the text and the vector should rank first');
SELECT is(
    (SELECT round(score::numeric, 12) FROM vestige.search_hybrid(p_query => 'postgres vector search', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash()) LIMIT 1),
    1.000000000000,
    'a memory best in both legs should score 0.6 x 1 + 0.4 x 1 = 1');
SELECT results_eq(
    $$SELECT fts_rank, vector_rank FROM vestige.search_hybrid(p_query => 'postgres vector search', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash()) LIMIT 1$$,
    $$VALUES (1, 1)$$,
    'ranks should be 1-based in each leg');
SELECT is(
    (SELECT max(abs(f.score - (0.6 * coalesce(f.fts_score / f.best_text, 0)
                               + 0.4 * (f.vector_similarity - f.low) / (f.high - f.low))))
       FROM (SELECT h.*, max(h.fts_score) OVER () AS best_text,
                    min(h.vector_similarity) OVER () AS low, max(h.vector_similarity) OVER () AS high
               FROM vestige.search_hybrid(p_query => 'postgres kayak search', p_embedding => '[1,0.1,0]',
                                          p_model_hash => vestige_test.model_hash(), p_limit => 1000) AS h) AS f) < 1e-6,
    true,
    'every score should be 0.6 x ts_rank / the best ts_rank + 0.4 x the similarity min-max scaled over the candidates');
SELECT results_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'postgres kayak search', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash(), p_text_weight => 1, p_limit => 3)$$,
    $$SELECT id FROM vestige.search_fts(p_query => 'postgres kayak search', p_limit => 3)$$,
    'p_text_weight 1 should rank by the words alone');
SELECT results_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'postgres kayak search', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash(), p_text_weight => 0, p_limit => 3)$$,
    $$SELECT id FROM vestige.search_vector(p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash(), p_limit => 3)$$,
    'p_text_weight 0 should rank by the meaning alone');
SELECT throws_ok(
    $$SELECT * FROM vestige.search_hybrid(p_query => 'postgres', p_text_weight => 1.5)$$,
    'VS006', 'invalid text weight 1.5: must be between 0 and 1', 'a text weight above 1 should raise VS006');
SELECT throws_ok(
    $$SELECT * FROM vestige.search_hybrid(p_query => 'postgres', p_text_weight => NULL)$$,
    'VS006', 'invalid text weight NULL: must be between 0 and 1', 'a NULL text weight should raise VS006');
SELECT ok(
    (SELECT bool_and(h.score > s.score)
       FROM vestige.search_hybrid(p_query => 'postgres vector search', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash()) AS h,
            vestige.search_hybrid(p_query => 'postgres vector search', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash()) AS s
      WHERE h.id = (SELECT id FROM m WHERE name = 'both') AND s.id <> h.id),
    'the two-leg memory should score above every single-leg memory');

-- Fallbacks.
SELECT results_eq(
    $$SELECT id FROM vestige.search_hybrid(p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash(), p_limit => 3)$$,
    $$SELECT id FROM m WHERE name IN ('both', 'vec', 'text') ORDER BY CASE name WHEN 'both' THEN 1 WHEN 'vec' THEN 2 ELSE 3 END$$,
    'without text, search_hybrid should rank by vector distance alone');
SELECT is(
    (SELECT count(*)::int FROM vestige.search_hybrid(p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash()) WHERE fts_rank IS NOT NULL),
    0, 'without text, no result should carry a text rank');
SELECT set_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'postgres search')$$,
    $$SELECT id FROM m WHERE name IN ('both', 'text', 'pg3')$$,
    'without a vector, search_hybrid should return the text matches only');
SELECT throws_ok(
    $$SELECT * FROM vestige.search_hybrid(p_query => '  ', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS006', 'the query is empty', 'blank text should be refused, even with a vector (vestige.check_search)');
SELECT is((SELECT count(*)::int FROM vestige.search_hybrid()), 0, 'neither text nor vector should give an empty result');
SELECT throws_ok($$SELECT * FROM vestige.search_hybrid(p_query => '')$$, 'VS006', 'the query is empty',
    'empty text and no vector should be refused, not list every memory');
SELECT is((SELECT count(*)::int FROM vestige.search_hybrid(p_query => 'the and of')), 0, 'stop words alone should give an empty result');

-- AND query, replaced by the OR of the same terms when it finds fewer than the depth.
SELECT results_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'postgres engine', p_limit => 1, p_depth => 1)$$,
    $$SELECT id FROM m WHERE name = 'both'$$,
    'when the AND query finds the depth, only memories with every term should be candidates');
SELECT set_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'postgres engine', p_depth => 5)$$,
    $$SELECT id FROM m WHERE name IN ('both', 'text', 'pg3')$$,
    'when the AND query finds fewer than the depth, the OR of the terms should replace it');
SELECT set_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'postgres pasta')$$,
    $$SELECT id FROM m WHERE name IN ('both', 'text', 'pg3', 'vec')$$,
    'a question whose terms never meet in one memory should still find each term (OR fallback)');
SELECT is(
    (SELECT count(*)::int FROM vestige.search_hybrid(p_query => 'postgres', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash(), p_limit => 2, p_depth => 2)),
    2, 'p_limit should cap the fused result');

-- Filters apply to both legs.
SELECT set_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'postgres', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash(), p_tags => '{tips}')$$,
    $$SELECT id FROM m WHERE name = 'text'$$, 'p_tags should keep memories having any of the tags');
SELECT set_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'postgres', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash(), p_node_types => '{note}')$$,
    $$SELECT id FROM m WHERE name = 'vec'$$, 'p_node_types should keep memories of those types');
SELECT set_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'postgres', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash(), p_codebase => 'vestige')$$,
    $$SELECT id FROM m WHERE name = 'both'$$, 'p_codebase should keep memories of that codebase');
SELECT set_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'glacier hike', p_created_before => '2021-01-01')$$,
    $$SELECT id FROM m WHERE name = 'old'$$, 'p_created_before should keep older memories');
SELECT is(
    (SELECT count(*)::int FROM vestige.search_hybrid(p_query => 'glacier hike', p_created_after => '2021-01-01')),
    0, 'p_created_after should drop older memories, and superseded ones stay out by default');
SELECT set_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => 'glacier hike', p_include_superseded => true)$$,
    $$SELECT id FROM m WHERE name IN ('old', 'super')$$, 'p_include_superseded should bring superseded memories back');
SELECT is(
    (SELECT count(*)::int FROM vestige.search_hybrid(p_query => 'postgres', p_min_retention => 0.5) WHERE id = (SELECT id FROM m WHERE name = 'text')),
    0, 'p_min_retention should drop a memory whose read-time retention is below it');
SELECT ok(
    (SELECT retention BETWEEN 0 AND 1 FROM vestige.search_hybrid(p_query => 'postgres') LIMIT 1),
    'results should carry the read-time retention');

-- Visibility: private / group / public for owner, group member and stranger.
SELECT set_eq($$SELECT id FROM vestige.search_hybrid(p_query => 'kayak')$$,
              $$SELECT id FROM m WHERE name IN ('grp', 'pub', 'priv')$$, 'the owner should find all three of their kayak memories');
SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT set_eq($$SELECT id FROM vestige.search_hybrid(p_query => 'kayak', p_embedding => '[0,0.45,0.55]', p_model_hash => vestige_test.model_hash())$$,
              $$SELECT id FROM m WHERE name IN ('grp', 'pub')$$, 'a group member should find the group and public memories, not the private one');
SELECT vestige_test.act_as(vestige_test.user('c'));
SELECT set_eq($$SELECT id FROM vestige.search_hybrid(p_query => 'kayak', p_embedding => '[0,0.45,0.55]', p_model_hash => vestige_test.model_hash())$$,
              $$SELECT id FROM m WHERE name = 'pub'$$, 'a stranger should find only the public memory, in both legs');
-- The visibility filter: of what the caller sees, only that kind, in both legs.
SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT set_eq($$SELECT id FROM vestige.search_hybrid(p_query => 'kayak', p_embedding => '[0,0.45,0.55]', p_model_hash => vestige_test.model_hash(), p_visibility => 'group')$$,
              $$SELECT id FROM m WHERE name = 'grp'$$, 'a group member filtering on group should find only the group memory');
SELECT set_eq($$SELECT id FROM vestige.search_hybrid(p_query => 'kayak', p_embedding => '[0,0.45,0.55]', p_model_hash => vestige_test.model_hash(), p_visibility => 'public')$$,
              $$SELECT id FROM m WHERE name = 'pub'$$, 'a group member filtering on public should find only the public memory');
SELECT is_empty($$SELECT id FROM vestige.search_hybrid(p_query => 'kayak', p_embedding => '[0,0.45,0.55]', p_model_hash => vestige_test.model_hash(), p_visibility => 'private')$$,
                'a group member filtering on private should not find the owner''s private memory');
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT set_eq($$SELECT id FROM vestige.search_hybrid(p_query => 'kayak', p_visibility => 'private')$$,
              $$SELECT id FROM m WHERE name = 'priv'$$, 'the owner filtering on private should find only their private kayak memory (text leg)');
SELECT set_eq($$SELECT id FROM vestige.search_vector(p_embedding => '[0,0.45,0.55]', p_model_hash => vestige_test.model_hash(), p_limit => 100, p_visibility => 'public')$$,
              $$SELECT id FROM m WHERE name = 'pub'$$, 'the owner filtering on public should find only their public memory (vector leg)');
SELECT set_eq($$SELECT id FROM vestige.search_fts(p_query => 'kayak', p_visibility => 'group')$$,
              $$SELECT id FROM m WHERE name = 'grp'$$, 'search_fts should pass the visibility filter on');
SELECT throws_ok($$SELECT * FROM vestige.search_hybrid(p_query => 'kayak', p_visibility => 'team')$$, 'VS006',
                 'invalid visibility filter team: must be private, group or public', 'an unknown visibility filter should raise VS006');
-- The KNN leg's three arms (own, public, group) together are exactly the visibility predicate.
RESET ROLE;
CREATE FUNCTION pg_temp.knn_sees_exactly_the_visible_rows(p_user uuid) RETURNS boolean LANGUAGE sql AS $$
    SELECT NOT EXISTS (
        (SELECT id FROM vestige.search_vector(p_embedding => '[1,1,1]', p_model_hash => vestige_test.model_hash(), p_limit => 1000)
         EXCEPT
         SELECT n.id FROM vestige.knowledge_nodes AS n
          WHERE n.embedding IS NOT NULL AND n.superseded_by IS NULL
            AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, p_user, vestige.current_user_groups()))
        UNION ALL
        (SELECT n.id FROM vestige.knowledge_nodes AS n
          WHERE n.embedding IS NOT NULL AND n.superseded_by IS NULL
            AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, p_user, vestige.current_user_groups())
         EXCEPT
         SELECT id FROM vestige.search_vector(p_embedding => '[1,1,1]', p_model_hash => vestige_test.model_hash(), p_limit => 1000)));
$$;
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT ok(pg_temp.knn_sees_exactly_the_visible_rows(vestige_test.user('a')), 'the owner''s vector search should reach exactly the rows visible to them');
SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT ok(pg_temp.knn_sees_exactly_the_visible_rows(vestige_test.user('b')), 'a group member''s vector search should reach exactly the rows visible to them');
SELECT vestige_test.act_as(vestige_test.user('c'));
SELECT ok(pg_temp.knn_sees_exactly_the_visible_rows(vestige_test.user('c')), 'a stranger''s vector search should reach exactly the rows visible to them');
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.search_hybrid(p_query => 'kayak')$$, 'VS001', NULL, 'a search without caller identity should raise VS001');

-- Bad input.
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT throws_ok($$SELECT * FROM vestige.search_hybrid(p_query => 'x', p_limit => 0)$$, 'VS006', NULL, 'a limit of 0 should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.search_hybrid(p_query => 'x', p_depth => 1001)$$, 'VS006', NULL, 'a depth above 1000 should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.search_hybrid(p_embedding => '[1,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS004', NULL, 'a 2-d vector against a 3-d model should raise VS004');
SELECT throws_ok($$SELECT * FROM vestige.search_hybrid(p_embedding => '[1,0,0]', p_model_hash => repeat('b', 64))$$,
                 'VS003', NULL, 'an unknown model hash should raise VS003');
SELECT throws_ok($$SELECT * FROM vestige.search_hybrid(p_embedding => '[0,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS007', NULL, 'a zero vector should raise VS007');

-- Filtered KNN: callers who see 1% of 5,000 rows still get p_limit results. (The capped counts
-- that choose between the exact and the HNSW path may scan the table; the KNN leg itself is
-- told apart by the index it reads.) C owns 1% of the rows (plus the one public memory); B owns the rest, of which
-- 1% have node type 'rare'.
RESET ROLE;
INSERT INTO vestige.knowledge_nodes (content, owner_user_id, embedding, node_type)
SELECT 'filler ' || i,
       CASE WHEN i % 100 = 0 THEN vestige_test.user('c') ELSE vestige_test.user('b') END,
       ('[' || cos(i) || ',' || sin(i) || ',' || (i % 7) / 7.0 || ']')::public.vector,
       CASE WHEN i % 100 = 1 THEN 'rare' ELSE 'fact' END
  FROM generate_series(1, 5000) AS i;
ANALYZE vestige.knowledge_nodes;
CREATE TEMP TABLE exact_c ON COMMIT DROP AS  -- + 0: exact distances, no index
SELECT n.id FROM vestige.knowledge_nodes AS n
 WHERE n.owner_user_id = vestige_test.user('c') OR n.visibility = 'public'
 ORDER BY (n.embedding <=> '[1,0.2,0.3]') + 0 LIMIT 10;
CREATE TEMP TABLE exact_b_rare ON COMMIT DROP AS
SELECT n.id FROM vestige.knowledge_nodes AS n
 WHERE n.owner_user_id = vestige_test.user('b') AND n.node_type = 'rare'
 ORDER BY (n.embedding <=> '[1,0.2,0.3]') + 0 LIMIT 10;
CREATE TEMP TABLE scans (arm text, hnsw bigint, owner_idx bigint, seq bigint) ON COMMIT DROP;
GRANT SELECT, INSERT ON scans, exact_c, exact_b_rare TO vestige_app;
CREATE TEMP TABLE filtered (arm text, id uuid) ON COMMIT DROP;
GRANT SELECT, INSERT ON filtered TO vestige_app;
CREATE FUNCTION pg_temp.count_scans(p_arm text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO scans
    SELECT p_arm, pg_stat_get_xact_numscans('vestige.knowledge_nodes_embedding_idx'::regclass),
           pg_stat_get_xact_numscans('vestige.knowledge_nodes_owner_user_id_idx'::regclass),
           pg_stat_get_xact_numscans('vestige.knowledge_nodes'::regclass);
$$;
SET LOCAL ROLE vestige_app;

-- 1% visible through ownership: the planner reads the caller's rows through the owner index
-- (exact), not the HNSW graph.
SELECT vestige_test.act_as(vestige_test.user('c'));
SELECT pg_temp.count_scans('c before');
INSERT INTO filtered SELECT 'c', id FROM vestige.search_vector(p_embedding => '[1,0.2,0.3]', p_model_hash => vestige_test.model_hash(), p_limit => 10);
SELECT pg_temp.count_scans('c after');
SELECT is((SELECT count(*)::int FROM filtered WHERE arm = 'c'), 10, 'a caller who sees 1% of 5,000 rows should still get p_limit results');
SELECT set_eq($$SELECT id FROM filtered WHERE arm = 'c'$$, $$SELECT id FROM exact_c$$,
              'those results should be exactly the 10 nearest visible rows');
SELECT ok((SELECT a.owner_idx > b.owner_idx AND a.hnsw = b.hnsw FROM scans AS a, scans AS b WHERE a.arm = 'c after' AND b.arm = 'c before'),
          'the 1%-visible search should read the owner index, not the HNSW graph');

-- 1% of a large visible set through a filter no index serves, on the HNSW path (sorting and
-- bitmap scans switched off so the planner must walk the graph): pgvector's iterative scan keeps
-- going until p_limit rows pass the filter.
SET LOCAL enable_sort = off;
SET LOCAL enable_bitmapscan = off;
SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT pg_temp.count_scans('b before');
INSERT INTO filtered SELECT 'b', id FROM vestige.search_vector(p_embedding => '[1,0.2,0.3]', p_model_hash => vestige_test.model_hash(), p_limit => 10, p_node_types => '{rare}');
SELECT pg_temp.count_scans('b after');
RESET enable_sort;
RESET enable_bitmapscan;
SELECT is((SELECT count(*)::int FROM filtered WHERE arm = 'b'), 10, 'a filter that keeps 1% of the rows should still give p_limit results from the HNSW index');
SELECT ok((SELECT a.hnsw > b.hnsw FROM scans AS a, scans AS b WHERE a.arm = 'b after' AND b.arm = 'b before'),
          'the filtered search should walk the HNSW index (so the results cannot come from a sequential scan)');
SELECT ok((SELECT count(*) >= 9 FROM filtered WHERE arm = 'b' AND id IN (SELECT id FROM exact_b_rare)),
          'the filtered HNSW results should match the exact top 10 (recall >= 0.9)');

-- Each statement keeps its plan for the session, and each path is a statement of its own: the
-- 1%-visible caller searched again after the HNSW walk still gets the exact path and results.
SELECT vestige_test.act_as(vestige_test.user('c'));
SELECT pg_temp.count_scans('c again before');
INSERT INTO filtered SELECT 'c again', id FROM vestige.search_vector(p_embedding => '[1,0.2,0.3]', p_model_hash => vestige_test.model_hash(), p_limit => 10);
SELECT pg_temp.count_scans('c again after');
SELECT set_eq($$SELECT id FROM filtered WHERE arm = 'c again'$$, $$SELECT id FROM exact_c$$,
              'a search after another caller''s HNSW walk in the same session should still be exactly the 10 nearest visible rows');
SELECT ok((SELECT a.owner_idx > b.owner_idx AND a.hnsw = b.hnsw FROM scans AS a, scans AS b WHERE a.arm = 'c again after' AND b.arm = 'c again before'),
          'and should still read the owner index, not the HNSW graph (no plan is shared between the paths)');

-- An arm of fewer than 2,000 rows that is most of the table walks the HNSW graph: the walk then
-- passes few rows the caller cannot see, and costs less than every row's distance. C now owns
-- 1,050 of about 1,060 rows.
RESET ROLE;
DELETE FROM vestige.knowledge_nodes WHERE content LIKE 'filler %' AND owner_user_id = vestige_test.user('b');
INSERT INTO vestige.knowledge_nodes (content, owner_user_id, embedding)
SELECT 'more filler ' || i, vestige_test.user('c'),
       ('[' || sin(i) || ',' || cos(i) || ',' || (i % 5) / 5.0 || ']')::public.vector
  FROM generate_series(1, 1000) AS i;
ANALYZE vestige.knowledge_nodes;
CREATE TEMP TABLE exact_c_most ON COMMIT DROP AS
SELECT n.id FROM vestige.knowledge_nodes AS n
 WHERE n.owner_user_id = vestige_test.user('c') OR n.visibility = 'public'
 ORDER BY (n.embedding <=> '[1,0.2,0.3]') + 0 LIMIT 10;
GRANT SELECT ON exact_c_most TO vestige_app;
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('c'));
SELECT pg_temp.count_scans('c most before');
INSERT INTO filtered SELECT 'c most', id FROM vestige.search_vector(p_embedding => '[1,0.2,0.3]', p_model_hash => vestige_test.model_hash(), p_limit => 10);
SELECT pg_temp.count_scans('c most after');
SELECT ok((SELECT a.hnsw > b.hnsw FROM scans AS a, scans AS b WHERE a.arm = 'c most after' AND b.arm = 'c most before'),
          'a caller who owns most of a table of 1,060 rows should walk the HNSW graph');
SELECT set_eq($$SELECT id FROM filtered WHERE arm = 'c most'$$, $$SELECT id FROM exact_c_most$$,
              'and get the 10 nearest visible rows');

SELECT * FROM finish();
ROLLBACK;
