-- pgTAP: the one tag rule (vestige.check_tags: at most 32 tags of 1 to 64 characters, none
-- blank), applied by insert_memory, update_memory and ingest alike.
BEGIN;
SELECT plan(12);

SELECT vestige_test.register_model();
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT, INSERT ON ids TO vestige_app;
INSERT INTO ids VALUES ('a', vestige_test.user('a'));
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as((SELECT id FROM ids WHERE name = 'a'));

SELECT is(vestige.check_tags(ARRAY(SELECT 't' || g FROM generate_series(1, 32) AS g)), ARRAY(SELECT 't' || g FROM generate_series(1, 32) AS g),
          '32 tags should pass');
SELECT is(vestige.check_tags(NULL), '{}'::text[], 'no tags (NULL) should be none');
SELECT is(vestige.check_tags(ARRAY[repeat('x', 64)]), ARRAY[repeat('x', 64)], 'a tag of 64 characters should pass');
SELECT throws_ok($$SELECT vestige.check_tags(ARRAY(SELECT 't' || g FROM generate_series(1, 33) AS g))$$,
                 'VS006', '33 tags, more than 32 allowed', '33 tags should raise VS006');
SELECT throws_ok($$SELECT vestige.check_tags(ARRAY['ok', ''])$$, 'VS006', 'invalid tag (blank)', 'an empty tag should raise VS006');
SELECT throws_ok($$SELECT vestige.check_tags(ARRAY['ok', NULL])$$, 'VS006', 'invalid tag NULL', 'a NULL tag should raise VS006');
SELECT throws_ok($$SELECT vestige.check_tags(ARRAY[repeat('x', 65)])$$, 'VS006', NULL, 'a tag of 65 characters should raise VS006');

-- Every door that stores tags applies it.
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'many tags', p_tags => ARRAY(SELECT 't' || g FROM generate_series(1, 100000) AS g))$$,
                 'VS006', '100000 tags, more than 32 allowed', 'insert_memory should refuse 100,000 tags');
INSERT INTO ids SELECT 'm', vestige.insert_memory(p_content => 'tagged', p_tags => ARRAY['one']);
SELECT throws_ok(format($$SELECT vestige.update_memory(p_id => %L, p_tags => ARRAY[''])$$, (SELECT id FROM ids WHERE name = 'm')),
                 'VS006', NULL, 'update_memory should refuse an empty tag');
SELECT throws_ok(format($$SELECT * FROM vestige.ingest(p_content => 'tagged', p_tags => ARRAY[' '], p_embedding => '[1,0,0]', p_model_hash => %L)$$, vestige_test.model_hash()),
                 'VS006', NULL, 'ingest should refuse a blank tag, also where it would only reinforce');

-- An ingest that would update a memory past 32 tags creates a linked memory instead.
RESET ROLE;
UPDATE vestige.knowledge_nodes SET embedding = '[1,0,0]', tags = ARRAY(SELECT 'old' || g FROM generate_series(1, 30) AS g), retrieval_strength = 0.5
 WHERE id = (SELECT id FROM ids WHERE name = 'm');
SET LOCAL ROLE vestige_app;
SELECT results_eq(format($$SELECT decision, matched_id FROM vestige.ingest(p_content => 'tagged again', p_tags => ARRAY['n1', 'n2', 'n3'],
                                                                 p_embedding => '[0.8,0.6,0]', p_model_hash => %L)$$, vestige_test.model_hash()),
                  format($$VALUES ('create', %L::uuid)$$, (SELECT id FROM ids WHERE name = 'm')),
                  'an update whose united tags would exceed 32 should create a memory instead');
SELECT is((SELECT cardinality(tags) FROM vestige.knowledge_nodes WHERE id = (SELECT id FROM ids WHERE name = 'm')), 30,
          'the memory it would have updated should keep its 30 tags');

SELECT * FROM finish();
ROLLBACK;
