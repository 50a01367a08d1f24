-- pgTAP: vestige.search_hybrid — ranking, fallbacks, filters, visibility, errors, filtered HNSW.
BEGIN;
SELECT plan(38);

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
    round(2.0 / 61, 12),
    'the fused score of a memory ranked first in both legs should be 1/61 + 1/61 (RRF, k = 60)');
SELECT results_eq(
    $$SELECT fts_rank, vector_rank FROM vestige.search_hybrid(p_query => 'postgres vector search', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash()) LIMIT 1$$,
    $$VALUES (1, 1)$$,
    'ranks should be 1-based in each leg');
SELECT is(
    (SELECT round(score::numeric, 12) FROM vestige.search_hybrid(p_query => 'postgres vector search', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash(), p_rrf_k => 10) LIMIT 1),
    round(2.0 / 11, 12),
    'p_rrf_k should change the RRF constant');
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
SELECT is(
    (SELECT count(*)::int FROM vestige.search_hybrid(p_query => '  ', p_embedding => '[1,0.1,0]', p_model_hash => vestige_test.model_hash()) WHERE fts_rank IS NOT NULL),
    0, 'blank text should leave only the vector leg');
SELECT is((SELECT count(*)::int FROM vestige.search_hybrid()), 0, 'neither text nor vector should give an empty result');
SELECT is((SELECT count(*)::int FROM vestige.search_hybrid(p_query => '   ')), 0, 'blank text and no vector should give an empty result');
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

-- Filtered HNSW: the caller sees 1% of 5,000 rows and still gets p_limit results from the index.
RESET ROLE;
INSERT INTO vestige.knowledge_nodes (content, owner_user_id, embedding)
SELECT 'filler ' || i,
       CASE WHEN i % 100 = 0 THEN vestige_test.user('c') ELSE vestige_test.user('b') END,
       ('[' || cos(i) || ',' || sin(i) || ',' || (i % 7) / 7.0 || ']')::public.vector
  FROM generate_series(1, 5000) AS i;
ANALYZE vestige.knowledge_nodes;
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('c'));
CREATE TEMP TABLE hnsw_scans ON COMMIT DROP AS
SELECT pg_stat_get_xact_numscans('vestige.knowledge_nodes_embedding_idx'::regclass) AS idx,
       pg_stat_get_xact_numscans('vestige.knowledge_nodes'::regclass) AS seq;
CREATE TEMP TABLE filtered ON COMMIT DROP AS
SELECT * FROM vestige.search_vector(p_embedding => '[1,0.2,0.3]', p_model_hash => vestige_test.model_hash(), p_limit => 10);
SELECT is((SELECT count(*)::int FROM filtered), 10, 'a caller who sees 1% of 5,000 rows should still get p_limit results');
SELECT is(pg_stat_get_xact_numscans('vestige.knowledge_nodes_embedding_idx'::regclass) - (SELECT idx FROM hnsw_scans), 1::bigint,
          'the filtered vector search should scan the HNSW index once');
SELECT is(pg_stat_get_xact_numscans('vestige.knowledge_nodes'::regclass) - (SELECT seq FROM hnsw_scans), 0::bigint,
          'the filtered vector search should not scan the table sequentially');
RESET ROLE;
SELECT ok(
    (SELECT count(*) >= 9 FROM filtered
      WHERE id IN (SELECT n.id FROM vestige.knowledge_nodes AS n
                    WHERE n.owner_user_id = vestige_test.user('c') OR n.visibility = 'public'
                    ORDER BY (n.embedding <=> '[1,0.2,0.3]') + 0 LIMIT 10)),  -- + 0: exact, no index
    'the filtered HNSW results should match the exact top 10 of the visible rows (recall >= 0.9)');

SELECT * FROM finish();
ROLLBACK;
