-- pgTAP: the weighted tsvector of memories (content A, node_type B, tags C): vestige.memory_tsv
-- and the trigger that keeps search_tsv up to date, also for the API's writes on behalf of vestige_app.
BEGIN;
SELECT plan(14);

CREATE TEMP TABLE fx (name text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.fx(p_name text) RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.fx WHERE name = p_name $$;
GRANT SELECT, INSERT ON fx TO vestige_app;
INSERT INTO fx VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob'));
INSERT INTO fx VALUES ('fox', vestige_test.memory(pg_temp.fx('alice'), 'The foxes jumped', p_tags => ARRAY['animals', 'Quick']));

SELECT volatility_is('vestige', 'memory_tsv', ARRAY['regconfig', 'text', 'text', 'text[]'], 'stable',
                     'memory_tsv should be STABLE, so it can be inlined');
SELECT isnt_definer('vestige', 'memory_tsv', ARRAY['regconfig', 'text', 'text', 'text[]'],
                    'memory_tsv should not be SECURITY DEFINER');

SELECT is(vestige.memory_tsv('english', 'The foxes jumped', 'fact', ARRAY['animals', 'Quick']),
          $$'fox':2A 'jump':3A 'fact':4B 'anim':5C 'quick':6C$$::tsvector,
          'memory_tsv should weigh content A, node_type B and tags C, stemmed in the language');
SELECT is(vestige.memory_tsv('simple', 'The foxes', 'fact', '{}'),
          $$'the':1A 'foxes':2A 'fact':3B$$::tsvector,
          'memory_tsv in simple should keep stop words and not stem');
SELECT is(vestige.memory_tsv('english', NULL, NULL, NULL), ''::tsvector,
          'memory_tsv of nothing should be an empty tsvector, not NULL');

SELECT is((SELECT search_tsv FROM vestige.knowledge_nodes WHERE id = pg_temp.fx('fox')),
          vestige.memory_tsv('english', 'The foxes jumped', 'fact', ARRAY['animals', 'Quick']),
          'an inserted memory should get the weighted tsvector in the configured language');

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT ok((SELECT search_tsv @@ to_tsquery('english', 'fox:A') AND search_tsv @@ to_tsquery('english', 'fact:B')
                   AND search_tsv @@ to_tsquery('english', 'animal:C') AND NOT search_tsv @@ to_tsquery('english', 'animal:A')
              FROM vestige.knowledge_nodes WHERE id = pg_temp.fx('fox')),
          'weighted queries should find content words as A, the type as B and tags as C');

-- The API functions called by vestige_app go through the same trigger.
SELECT lives_ok($$INSERT INTO fx SELECT 'direct', vestige.insert_memory(p_content => 'Cats sleep a lot', p_node_type => 'note')$$,
                'vestige_app should insert a memory through insert_memory');
SELECT is((SELECT search_tsv FROM vestige.knowledge_nodes WHERE id = pg_temp.fx('direct')),
          $$'cat':1A 'sleep':2A 'lot':4A 'note':5B$$::tsvector,
          'a memory inserted directly should get its tsvector');

SELECT lives_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => 'Dogs bark', p_tags => ARRAY['pets'])$$, pg_temp.fx('direct')),
                'the owner should edit content and tags through update_memory');
SELECT is((SELECT search_tsv FROM vestige.knowledge_nodes WHERE id = pg_temp.fx('direct')),
          $$'dog':1A 'bark':2A 'note':3B 'pet':4C$$::tsvector,
          'editing content and tags should recompute the tsvector');
SELECT lives_ok(format($$SELECT vestige.update_memory(p_id => %L, p_node_type => 'pattern')$$, pg_temp.fx('direct')),
                'the owner should edit the node type through update_memory');
SELECT is((SELECT search_tsv FROM vestige.knowledge_nodes WHERE id = pg_temp.fx('direct')),
          $$'dog':1A 'bark':2A 'pattern':3B 'pet':4C$$::tsvector,
          'editing the node type should recompute the tsvector');

RESET ROLE;
UPDATE vestige.knowledge_nodes SET search_tsv = 'stale' WHERE id = pg_temp.fx('fox');
UPDATE vestige.knowledge_nodes SET source = 'a book' WHERE id = pg_temp.fx('fox');
SELECT is((SELECT search_tsv FROM vestige.knowledge_nodes WHERE id = pg_temp.fx('fox')), 'stale'::tsvector,
          'editing a column outside content, type and tags should not recompute the tsvector');

SELECT * FROM finish();
ROLLBACK;
