-- pgTAP: vestige.search_vector — the KNN leg alone.
BEGIN;
SELECT plan(10);

SELECT vestige_test.user('a'), vestige_test.user('b'), vestige_test.user('c');
SELECT vestige_test.group('g', vestige_test.user('a'), ARRAY[vestige_test.user('b')]);
SELECT vestige_test.register_model();
CREATE TEMP TABLE m (name text PRIMARY KEY, id uuid) ON COMMIT DROP;
GRANT SELECT ON m TO vestige_app;
INSERT INTO m VALUES
  ('near',   vestige_test.memory(vestige_test.user('a'), 'near', p_embedding => '[1,0,0]')),
  ('mid',    vestige_test.memory(vestige_test.user('a'), 'mid', p_embedding => '[1,1,0]')),
  ('far',    vestige_test.memory(vestige_test.user('a'), 'far', p_embedding => '[0,0,1]', p_tags => '{far}')),
  ('novec',  vestige_test.memory(vestige_test.user('a'), 'no vector')),
  ('group',  vestige_test.memory(vestige_test.user('a'), 'group', 'group', ARRAY[vestige_test.group_id('g')], '[1,0.1,0]')),
  ('public', vestige_test.memory(vestige_test.user('a'), 'public', 'public', '{}', '[1,0.2,0]'));

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('a'));

SELECT results_eq(
    $$SELECT id FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
    $$SELECT id FROM m WHERE name IN ('near', 'group', 'public', 'mid', 'far')
       ORDER BY CASE name WHEN 'near' THEN 1 WHEN 'group' THEN 2 WHEN 'public' THEN 3 WHEN 'mid' THEN 4 ELSE 5 END$$,
    'results should come nearest first, memories without a vector left out');
SELECT is(
    (SELECT round(score::numeric, 9) FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())
      WHERE id = (SELECT id FROM m WHERE name = 'mid')),
    round((1 / sqrt(2))::numeric, 9),
    'score should be the cosine similarity');
SELECT ok(
    (SELECT bool_and(fts_rank IS NULL AND score = vector_similarity) FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())),
    'search_vector should carry no text rank');
SELECT is((SELECT count(*)::int FROM vestige.search_vector()), 0, 'no vector should give an empty result');
SELECT set_eq($$SELECT id FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(), p_tags => '{far}')$$,
              $$SELECT id FROM m WHERE name = 'far'$$, 'filters should pass through to the vector leg');

SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT set_eq($$SELECT id FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
              $$SELECT id FROM m WHERE name IN ('group', 'public')$$, 'a group member should find only group and public memories');
SELECT vestige_test.act_as(vestige_test.user('c'));
SELECT set_eq($$SELECT id FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash())$$,
              $$SELECT id FROM m WHERE name = 'public'$$, 'a stranger should find only the public memory');
SELECT throws_ok($$SELECT * FROM vestige.search_vector(p_embedding => '[1,0,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 'VS004', NULL, 'a 4-d vector should raise VS004');
SELECT throws_ok($$SELECT * FROM vestige.search_vector(p_embedding => '[1,0,0]')$$,
                 'VS003', NULL, 'a vector without a model hash should raise VS003');
SELECT throws_ok($$SELECT * FROM vestige.search_vector(p_embedding => '[NaN,0,0]', p_model_hash => vestige_test.model_hash())$$,
                 '22000', NULL, 'a NaN vector should be refused by pgvector before it is compared');

SELECT * FROM finish();
ROLLBACK;
