-- pgTAP: vestige.recall — search_hybrid, then the blend 0.5 relevance + 0.3 importance +
-- 0.2 recency, then the testing effect on the caller's own returned memories.
BEGIN;
SELECT plan(47);

-- Fixtures (superuser): a owns the memories, b shares group g with a, c is a stranger.
SELECT vestige_test.user('a'), vestige_test.user('b'), vestige_test.user('c');
SELECT vestige_test.group('g', vestige_test.user('a'), ARRAY[vestige_test.user('b')]);
SELECT vestige_test.register_model();

CREATE TEMP TABLE m (name text PRIMARY KEY, id uuid) ON COMMIT DROP;
GRANT SELECT ON m TO vestige_app;
INSERT INTO m VALUES
  -- The blend (codebase blend): vector-only, ranked 1, 2, 3 by the fusion.
  ('b1',    vestige_test.memory(vestige_test.user('a'), 'first blend memory',  p_embedding => '[1,0,0]',     p_codebase => 'blend')),
  ('b2',    vestige_test.memory(vestige_test.user('a'), 'second blend memory', p_embedding => '[0.8,0.6,0]', p_codebase => 'blend')),
  ('b3',    vestige_test.memory(vestige_test.user('a'), 'third blend memory',  p_embedding => '[0,1,0]',     p_codebase => 'blend')),
  -- Equal relevance (codebase tie): the same words and the same vector.
  ('tx',    vestige_test.memory(vestige_test.user('a'), 'zebra crossing', p_embedding => '[0,0,1]', p_codebase => 'tie')),
  ('ty',    vestige_test.memory(vestige_test.user('a'), 'zebra crossing', p_embedding => '[0,0,1]', p_codebase => 'tie')),
  -- Visibility (codebase vis).
  ('apriv', vestige_test.memory(vestige_test.user('a'), 'kayak private notes', p_embedding => '[1,0,0]', p_codebase => 'vis')),
  ('agrp',  vestige_test.memory(vestige_test.user('a'), 'kayak group plans', 'group', ARRAY[vestige_test.group_id('g')], '[0.9,0.1,0]', p_node_type => 'note', p_codebase => 'vis')),
  ('apub',  vestige_test.memory(vestige_test.user('a'), 'kayak public guide', 'public', '{}', '[0.8,0.2,0]', p_tags => '{guide}', p_codebase => 'vis')),
  ('bpriv', vestige_test.memory(vestige_test.user('b'), 'kayak bob diary', p_embedding => '[1,0,0.1]', p_codebase => 'vis'));

-- Recency is by when a memory happened (valid_from), else when it was stored (b2: now).
UPDATE vestige.knowledge_nodes SET retention_strength = 0.5, valid_from = now() - interval '30 days' WHERE id = (SELECT id FROM m WHERE name = 'b1');
UPDATE vestige.knowledge_nodes SET retention_strength = 1.0, last_accessed = now() - interval '90 days' WHERE id = (SELECT id FROM m WHERE name = 'b2');
UPDATE vestige.knowledge_nodes SET retention_strength = 0.2, valid_from = now() - interval '60 days' WHERE id = (SELECT id FROM m WHERE name = 'b3');
UPDATE vestige.knowledge_nodes SET retention_strength = 0.9 WHERE id = (SELECT id FROM m WHERE name = 'tx');
UPDATE vestige.knowledge_nodes SET retention_strength = 0.3 WHERE id = (SELECT id FROM m WHERE name = 'ty');
UPDATE vestige.knowledge_nodes SET retrieval_strength = 0.05, storage_strength = 0 WHERE id = (SELECT id FROM m WHERE name = 'apriv');
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.5, retention_strength = 0.4, last_accessed = now() - interval '10 days'
 WHERE id IN (SELECT id FROM m WHERE name IN ('agrp', 'apub', 'bpriv'));
SELECT vestige_test.snapshot();

SET LOCAL ROLE vestige_app;

-- Errors.
SELECT throws_ok($$SELECT * FROM vestige.recall(p_query => 'kayak')$$,
    'VS001', NULL, 'recall without a caller identity should raise VS001');
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT throws_ok($$SELECT * FROM vestige.recall(p_query => 'kayak', p_limit => 0)$$,
    'VS006', NULL, 'a limit of 0 should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.recall(p_query => 'kayak', p_limit => 1001)$$,
    'VS006', NULL, 'a limit above 1000 should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.recall(p_query => 'kayak', p_limit => NULL)$$,
    'VS006', NULL, 'a NULL limit should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.recall(p_query => 'kayak', p_embedding => '[1,0,0]', p_model_hash => repeat('b', 64))$$,
    'VS003', NULL, 'a vector of another model should raise VS003 (search_hybrid''s error passes through)');
SELECT throws_ok($$SELECT * FROM vestige.recall(p_query => 'kayak', p_embedding => '[1,0]', p_model_hash => vestige_test.model_hash())$$,
    'VS004', NULL, 'a vector of another dimension should raise VS004');
SELECT is(vestige_test.changed(), 0::bigint, 'a refused recall should change nothing');

-- The blend, on hand-made rows (no touch).
SELECT results_eq(
    $$SELECT id, round(score::numeric, 6) FROM vestige.recall(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(),
                                                              p_codebase => 'blend', p_touch => false)$$,
    $$VALUES ((SELECT id FROM m WHERE name = 'b2'), round((0.5 * 0.8 + 0.3 * 1.0 + 0.2 * 1.0)::numeric, 6)),
             ((SELECT id FROM m WHERE name = 'b1'), round((0.5 * 1.0 + 0.3 * 0.5 + 0.2 * exp(-1.0))::numeric, 6)),
             ((SELECT id FROM m WHERE name = 'b3'), round((0.5 * 0.0 + 0.3 * 0.2 + 0.2 * exp(-2.0))::numeric, 6))$$,
    'the score should be 0.5 x relevance + 0.3 x importance + 0.2 x recency, ordered by score, not by the fusion');
SELECT results_eq(
    $$SELECT round(fused_score::numeric, 12), round(relevance::numeric, 12), importance, round(recency::numeric, 12),
             vector_rank, fts_rank, round(vector_similarity::numeric, 9)
        FROM vestige.recall(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(), p_codebase => 'blend', p_touch => false)
       WHERE id = (SELECT id FROM m WHERE name = 'b1')$$,
    $$VALUES (1.000000000000, 1.000000000000, 0.5::double precision, round(exp(-1.0)::numeric, 12), 1, NULL::integer, 1.000000000)$$,
    'the parts should be: fused score 1 (the nearest), relevance 1 (the best of the pool), importance = retention strength, recency exp(-30/30) (it happened 30 days ago)');
SELECT is(
    (SELECT round(relevance::numeric, 6) FROM vestige.recall(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(),
                                                                p_codebase => 'blend', p_touch => false)
      WHERE id = (SELECT id FROM m WHERE name = 'b2')),
    0.800000,
    'relevance should be the fused score divided by the best fused score of the pool: similarity 0.8 min-max scaled over 0..1');
SELECT is(
    (SELECT round(recency::numeric, 12) FROM vestige.recall(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(),
                                                               p_codebase => 'blend', p_touch => false)
      WHERE id = (SELECT id FROM m WHERE name = 'b2')),
    1.000000000000,
    'a memory stored now without a valid_from should have recency 1, however long ago it was last recalled');
SELECT results_eq(
    $$SELECT id FROM vestige.recall(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(), p_codebase => 'blend',
                                    p_limit => 1, p_touch => false)$$,
    $$SELECT id FROM m WHERE name = 'b2'$$,
    'with limit 1 the best blended memory should come back, though the fusion ranked it second (the pool is larger than the limit)');
SELECT is(
    (SELECT count(*) FROM vestige.recall(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(), p_codebase => 'blend',
                                         p_limit => 2, p_touch => false)),
    2::bigint,
    'recall should return at most p_limit rows');

-- Equal relevance: importance, then recency decide.
SELECT results_eq(
    $$SELECT relevance FROM vestige.recall(p_query => 'zebra', p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(),
                                           p_codebase => 'tie', p_touch => false)$$,
    $$VALUES (1.0::double precision), (1.0::double precision)$$,
    'two memories with the same words and the same vector should have the same relevance');
SELECT results_eq(
    $$SELECT id FROM vestige.recall(p_query => 'zebra', p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(),
                                    p_codebase => 'tie', p_touch => false)$$,
    $$SELECT id FROM m WHERE name = 'tx' UNION ALL SELECT id FROM m WHERE name = 'ty'$$,
    'with equal relevance and recency the more important memory should come first (0.9 over 0.3)');
RESET ROLE;
UPDATE vestige.knowledge_nodes SET retention_strength = 0.3 WHERE id = (SELECT id FROM m WHERE name = 'tx');
UPDATE vestige.knowledge_nodes SET retention_strength = 0.9 WHERE id = (SELECT id FROM m WHERE name = 'ty');
SET LOCAL ROLE vestige_app;
SELECT results_eq(
    $$SELECT id FROM vestige.recall(p_query => 'zebra', p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(),
                                    p_codebase => 'tie', p_touch => false)$$,
    $$SELECT id FROM m WHERE name = 'ty' UNION ALL SELECT id FROM m WHERE name = 'tx'$$,
    'swapping the importances should swap the order');
RESET ROLE;
UPDATE vestige.knowledge_nodes SET retention_strength = 0.5, valid_from = now() WHERE id = (SELECT id FROM m WHERE name = 'tx');
UPDATE vestige.knowledge_nodes SET retention_strength = 0.5, valid_from = now() - interval '90 days' WHERE id = (SELECT id FROM m WHERE name = 'ty');
SET LOCAL ROLE vestige_app;
SELECT results_eq(
    $$SELECT id FROM vestige.recall(p_query => 'zebra', p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(),
                                    p_codebase => 'tie', p_touch => false)$$,
    $$SELECT id FROM m WHERE name = 'tx' UNION ALL SELECT id FROM m WHERE name = 'ty'$$,
    'with equal relevance and importance the memory that happened more recently should come first');
RESET ROLE;
-- Stale and demoted against fresh and reinforced, tx having the worse position in the fusion.
UPDATE vestige.knowledge_nodes SET retention_strength = 0.2, valid_from = now() - interval '90 days'
 WHERE id = (SELECT id FROM m WHERE name = 'tx' UNION ALL SELECT id FROM m WHERE name = 'ty' ORDER BY 1 LIMIT 1);
UPDATE vestige.knowledge_nodes SET retention_strength = 1.0, valid_from = now()
 WHERE id = (SELECT id FROM m WHERE name = 'tx' UNION ALL SELECT id FROM m WHERE name = 'ty' ORDER BY 1 DESC LIMIT 1);
SET LOCAL ROLE vestige_app;
SELECT results_eq(
    $$SELECT id FROM vestige.recall(p_query => 'zebra', p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash(),
                                    p_codebase => 'tie', p_touch => false)$$,
    $$(SELECT id FROM m WHERE name IN ('tx', 'ty') ORDER BY id DESC)$$,
    'of two equally relevant memories the fresh, reinforced one should rank above the stale, demoted one, though the fusion put it second');
-- Importance and recency equal for all: the relevance order, exactly.
RESET ROLE;
UPDATE vestige.knowledge_nodes SET retention_strength = 0.7, valid_from = now() - interval '5 days'
 WHERE id IN (SELECT id FROM m WHERE name IN ('b1', 'b2', 'b3', 'tx', 'ty'));
SET LOCAL ROLE vestige_app;
SELECT results_eq(
    $$SELECT id FROM vestige.recall(p_query => 'second blend', p_embedding => '[0.5,0.5,0.7]', p_model_hash => vestige_test.model_hash(),
                                    p_codebase => 'blend', p_touch => false)$$,
    $$SELECT id FROM vestige.search_hybrid(p_query => 'second blend', p_embedding => '[0.5,0.5,0.7]', p_model_hash => vestige_test.model_hash(),
                                           p_codebase => 'blend')$$,
    'with importance and recency the same for every memory, recall should return the relevance order of search_hybrid');

-- Text only, no vector.
SELECT results_eq(
    $$SELECT id, vector_rank FROM vestige.recall(p_query => 'zebra', p_touch => false)$$,
    $$SELECT id, NULL::integer FROM m WHERE name IN ('tx', 'ty') ORDER BY id$$,
    'a text-only recall (no vector, no model hash) should work and have no vector rank');
SELECT is_empty($$SELECT * FROM vestige.recall(p_touch => false)$$,
    'a recall with neither text nor vector should return nothing');

-- Visibility, without touch (the tie rows changed above: a new snapshot).
SELECT vestige_test.snapshot();
SELECT set_eq(
    $$SELECT id FROM vestige.recall(p_query => 'kayak', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(),
                                    p_codebase => 'vis', p_touch => false)$$,
    $$SELECT id FROM m WHERE name IN ('apriv', 'agrp', 'apub')$$,
    'the owner should recall her private, group and public memories, not bob''s private one');
SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT set_eq(
    $$SELECT id FROM vestige.recall(p_query => 'kayak', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(),
                                    p_codebase => 'vis', p_touch => false)$$,
    $$SELECT id FROM m WHERE name IN ('agrp', 'apub', 'bpriv')$$,
    'a group member should recall a''s group and public memories and his own, never a''s private one');
SELECT set_eq(
    $$SELECT id, visibility FROM vestige.recall(p_query => 'kayak', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(),
                                                p_codebase => 'vis', p_visibility => 'group', p_touch => false)$$,
    $$SELECT id, 'group' FROM m WHERE name = 'agrp'$$,
    'the visibility filter should reach the search, and each memory should carry its visibility');
SELECT set_eq(
    $$SELECT id, visibility FROM vestige.recall(p_query => 'kayak', p_codebase => 'vis', p_visibility => 'private', p_touch => false)$$,
    $$SELECT id, 'private' FROM m WHERE name = 'bpriv'$$,
    'a group member filtering on private should recall only his own private memory');
SELECT vestige_test.act_as(vestige_test.user('c'));
SELECT set_eq(
    $$SELECT id FROM vestige.recall(p_query => 'kayak', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(),
                                    p_codebase => 'vis', p_touch => false)$$,
    $$SELECT id FROM m WHERE name = 'apub'$$,
    'a stranger should recall only the public memory');
SELECT is(vestige_test.changed(), 0::bigint, 'recalls with p_touch false should change nothing');

-- Filters pass through.
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT set_eq(
    $$SELECT id FROM vestige.recall(p_query => 'kayak', p_tags => '{guide}', p_touch => false)$$,
    $$SELECT id FROM m WHERE name = 'apub'$$,
    'p_tags should reach the search');
SELECT set_eq(
    $$SELECT id FROM vestige.recall(p_query => 'kayak', p_node_types => '{note}', p_touch => false)$$,
    $$SELECT id FROM m WHERE name = 'agrp'$$,
    'p_node_types should reach the search');
SELECT set_eq(
    $$SELECT id FROM vestige.recall(p_query => 'kayak', p_min_retention => 0.1, p_touch => false)$$,
    $$SELECT id FROM m WHERE name IN ('agrp', 'apub')$$,
    'p_min_retention should reach the search (a''s weak private memory, retention 0.035, is left out)');
SELECT is_empty(
    $$SELECT * FROM vestige.recall(p_query => 'kayak', p_codebase => 'blend', p_touch => false)$$,
    'p_codebase should reach the search');
-- Every other filter of search_hybrid reaches it too (codebase filt: an old memory in domain d1, a
-- new one, and a superseded one).
RESET ROLE;
INSERT INTO m VALUES
  ('fold', vestige_test.memory(vestige_test.user('a'), 'walrus old note',        p_codebase => 'filt')),
  ('fnew', vestige_test.memory(vestige_test.user('a'), 'walrus new note',        p_codebase => 'filt')),
  ('fsup', vestige_test.memory(vestige_test.user('a'), 'walrus superseded note', p_codebase => 'filt'));
UPDATE vestige.knowledge_nodes SET created_at = now() - interval '40 days', domains = '{d1}' WHERE id = (SELECT id FROM m WHERE name = 'fold');
UPDATE vestige.knowledge_nodes SET superseded_by = (SELECT id FROM m WHERE name = 'fnew') WHERE id = (SELECT id FROM m WHERE name = 'fsup');
SET LOCAL ROLE vestige_app;
SELECT set_eq(
    $$SELECT id FROM vestige.recall(p_query => 'walrus', p_codebase => 'filt', p_domains => '{d1}', p_touch => false)$$,
    $$SELECT id FROM m WHERE name = 'fold'$$,
    'p_domains should reach the search');
SELECT set_eq(
    $$SELECT id FROM vestige.recall(p_query => 'walrus', p_codebase => 'filt', p_created_after => now() - interval '1 day', p_touch => false)$$,
    $$SELECT id FROM m WHERE name = 'fnew'$$,
    'p_created_after should reach the search (the superseded memory stays out by default)');
SELECT set_eq(
    $$SELECT id FROM vestige.recall(p_query => 'walrus', p_codebase => 'filt', p_created_before => now() - interval '1 day', p_touch => false)$$,
    $$SELECT id FROM m WHERE name = 'fold'$$,
    'p_created_before should reach the search');
SELECT set_eq(
    $$SELECT id FROM vestige.recall(p_query => 'walrus', p_codebase => 'filt', p_include_superseded => true, p_touch => false)$$,
    $$SELECT id FROM m WHERE name IN ('fold', 'fnew', 'fsup')$$,
    'p_include_superseded should reach the search');
SELECT results_eq(
    $$SELECT id FROM vestige.recall(p_query => 'walrus', p_codebase => 'filt', p_include_superseded => true,
                                    p_created_after => now() - interval '1 day', p_touch => false) ORDER BY id$$,
    $$SELECT id FROM vestige.search_hybrid(p_query => 'walrus', p_codebase => 'filt', p_include_superseded => true,
                                           p_created_after => now() - interval '1 day') ORDER BY id$$,
    'recall should return what search_hybrid returns for the same filters');
SELECT vestige_test.snapshot();

-- The testing effect: only the caller's own returned memories change; the rows show the values before.
SELECT vestige_test.act_as(vestige_test.user('b'));
CREATE TEMP TABLE got ON COMMIT DROP AS
SELECT * FROM vestige.recall(p_query => 'kayak', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(), p_codebase => 'vis');
SELECT is((SELECT count(*) FROM got), 3::bigint, 'the member''s recall should return three memories');
SELECT is(vestige_test.changed(), 1::bigint,
    'a recall should touch only the caller''s own memory, not the shared and public memories of a');
SELECT is(round((vestige_test.node((SELECT id FROM m WHERE name = 'bpriv'))).retrieval_strength::numeric, 9), 0.550000000,
    'the caller''s own returned memory should get retrieval +0.05');
SELECT is(round((vestige_test.node((SELECT id FROM m WHERE name = 'bpriv'))).retention_strength::numeric, 9), 0.420000000,
    'the caller''s own returned memory should get retention +0.02');
SELECT is((vestige_test.node((SELECT id FROM m WHERE name = 'bpriv'))).last_accessed, now(),
    'the caller''s own returned memory should be accessed now');
SELECT results_eq(
    $$SELECT importance, last_accessed FROM got WHERE id = (SELECT id FROM m WHERE name = 'bpriv')$$,
    $$VALUES (0.4::double precision, now() - interval '10 days')$$,
    'the returned row should show the importance and last access from before the touch');
SELECT vestige_test.snapshot();
SELECT vestige_test.act_as(vestige_test.user('c'));
SELECT is((SELECT count(*) FROM vestige.recall(p_query => 'kayak', p_codebase => 'vis')), 1::bigint,
    'a stranger''s recall should return the public memory');
SELECT is(vestige_test.changed(), 0::bigint, 'a stranger''s recall of a public memory should change nothing');
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT is((SELECT count(*) FROM vestige.recall(p_query => 'kayak', p_codebase => 'vis', p_limit => 2)), 2::bigint,
    'the owner''s recall should return two memories');
SELECT is(vestige_test.changed(), 2::bigint, 'the owner''s recall should touch exactly the two memories it returned');

-- A memory of the year 1: recency ~0, no floating-point underflow.
RESET ROLE;
UPDATE vestige.knowledge_nodes SET valid_from = '0001-01-01 00:00:00+00' WHERE id = (SELECT id FROM m WHERE name = 'b3');
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT is((SELECT recency < 1e-300 FROM vestige.recall(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(),
                                                       p_codebase => 'blend', p_touch => false)
            WHERE id = (SELECT id FROM m WHERE name = 'b3')), true,
    'a memory that happened in the year 1 should have recency ~0, not raise an underflow');

SELECT * FROM finish();
ROLLBACK;
