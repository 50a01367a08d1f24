-- pgTAP: vestige.search_fts — the text leg alone.
BEGIN;
SELECT plan(10);

SELECT vestige_test.user('a'), vestige_test.user('b'), vestige_test.user('c');
SELECT vestige_test.group('g', vestige_test.user('a'), ARRAY[vestige_test.user('b')]);
CREATE TEMP TABLE m (name text PRIMARY KEY, id uuid) ON COMMIT DROP;
GRANT SELECT ON m TO vestige_app;
INSERT INTO m VALUES
  ('content', vestige_test.memory(vestige_test.user('a'), 'the deploy uses sqitch for migrations')),
  ('tagged',  vestige_test.memory(vestige_test.user('a'), 'schema changes are reviewed', p_tags => '{sqitch}')),
  ('typed',   vestige_test.memory(vestige_test.user('a'), 'database change tool', p_node_type => 'sqitch')),
  ('group',   vestige_test.memory(vestige_test.user('a'), 'team uses sqitch too', 'group', ARRAY[vestige_test.group_id('g')])),
  ('public',  vestige_test.memory(vestige_test.user('a'), 'public sqitch tutorial', 'public'));

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('a'));

SELECT results_eq(
    $$SELECT id FROM vestige.search_fts(p_query => 'sqitch') WHERE id IN (SELECT id FROM m WHERE name IN ('content', 'typed', 'tagged'))$$,
    $$SELECT id FROM m WHERE name IN ('content', 'typed', 'tagged') ORDER BY CASE name WHEN 'content' THEN 1 WHEN 'typed' THEN 2 ELSE 3 END$$,
    'a term in the content (weight A) should outrank one in the type (B), which outranks one in the tags (C)');
SELECT ok(
    (SELECT bool_and(score = fts_score AND vector_rank IS NULL AND vector_similarity IS NULL) FROM vestige.search_fts(p_query => 'sqitch')),
    'search_fts should report the ts_rank score and no vector columns');
SELECT results_eq(
    $$SELECT fts_rank FROM vestige.search_fts(p_query => 'sqitch')$$,
    $$VALUES (1), (2), (3), (4), (5)$$,
    'search_fts results should come in text-rank order');
SELECT is((SELECT count(*)::int FROM vestige.search_fts(p_query => 'sqitch', p_limit => 2)), 2, 'p_limit should cap the result');
SELECT throws_ok($$SELECT * FROM vestige.search_fts(p_query => '')$$, 'VS006', 'the query is empty',
    'empty text should be refused');
SELECT set_eq($$SELECT id FROM vestige.search_fts(p_query => 'sqitch', p_node_types => '{sqitch}')$$,
              $$SELECT id FROM m WHERE name = 'typed'$$, 'filters should pass through to the text leg');

SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT set_eq($$SELECT id FROM vestige.search_fts(p_query => 'sqitch')$$,
              $$SELECT id FROM m WHERE name IN ('group', 'public')$$, 'a group member should find only group and public memories');
SELECT vestige_test.act_as(vestige_test.user('c'));
SELECT set_eq($$SELECT id FROM vestige.search_fts(p_query => 'sqitch')$$,
              $$SELECT id FROM m WHERE name = 'public'$$, 'a stranger should find only the public memory');
SELECT throws_ok($$SELECT * FROM vestige.search_fts(p_query => 'sqitch', p_limit => -1)$$, 'VS006', NULL, 'a negative limit should raise VS006');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.search_fts(p_query => 'sqitch')$$, 'VS001', NULL, 'a search without identity should raise VS001');

SELECT * FROM finish();
ROLLBACK;
