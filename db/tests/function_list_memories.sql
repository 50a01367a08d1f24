-- pgTAP: vestige.list_memories returns the visible, not superseded memories newest first, with
-- its filters; private memories of others never appear.
BEGIN;
SELECT plan(9);

SELECT is_definer('vestige', 'list_memories', ARRAY['text', 'text[]', 'text[]', 'integer'],
                  'list_memories should be SECURITY DEFINER');

SELECT vestige_test.user('alice');
SELECT vestige_test.user('bob');
SELECT vestige_test.memory(vestige_test.user('alice'), 'alice api pattern', p_node_type => 'pattern',
                           p_codebase => 'api', p_tags => '{pattern}');
SELECT vestige_test.memory(vestige_test.user('alice'), 'alice api decision', p_node_type => 'decision',
                           p_codebase => 'api');
SELECT vestige_test.memory(vestige_test.user('alice'), 'alice web fact', p_codebase => 'web');
SELECT vestige_test.memory(vestige_test.user('bob'), 'bob private api note', p_codebase => 'api');
SELECT vestige_test.memory(vestige_test.user('bob'), 'bob public api note', 'public', p_codebase => 'api');
-- newest first: make the creation order explicit
UPDATE vestige.knowledge_nodes SET created_at = now() - (length(content) || ' minutes')::interval;

SELECT vestige_test.act_as(vestige_test.user('alice'));
SET LOCAL ROLE vestige_app;

SELECT set_eq($$SELECT content FROM vestige.list_memories(p_codebase => 'api')$$,
              ARRAY['alice api pattern', 'alice api decision', 'bob public api note'],
              'the api codebase should list own and public memories, not bob''s private one');
SELECT results_eq($$SELECT content FROM vestige.list_memories(p_codebase => 'api', p_limit => 2)$$,
                  ARRAY['alice api pattern', 'alice api decision'],
                  'memories should come newest first, at most p_limit');
SELECT results_eq($$SELECT content FROM vestige.list_memories(p_node_types => '{decision}')$$,
                  ARRAY['alice api decision'], 'the node type filter should apply');
SELECT results_eq($$SELECT content FROM vestige.list_memories(p_tags => '{pattern}')$$,
                  ARRAY['alice api pattern'], 'the tag filter should apply');
SELECT is((SELECT count(*) FROM vestige.list_memories()), 4::bigint,
          'without filters every visible memory should be listed');

RESET ROLE;
UPDATE vestige.knowledge_nodes SET superseded_by = (SELECT id FROM vestige.knowledge_nodes WHERE content = 'alice web fact')
 WHERE content = 'alice api decision';
SET LOCAL ROLE vestige_app;
SELECT is((SELECT count(*) FROM vestige.list_memories(p_codebase => 'api')), 2::bigint,
          'a superseded memory should not be listed');

SELECT throws_ok($$SELECT * FROM vestige.list_memories(p_limit => 0)$$, 'VS006', NULL,
                 'a limit of 0 should raise VS006');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.list_memories()$$, 'VS001', NULL,
                 'a caller without identity should get VS001');

SELECT * FROM finish();
ROLLBACK;
