-- pgTAP: vestige.set_fts_language is an operator function: it stores the full-text language and
-- recomputes every memory's tsvector without touching updated_at; vestige_app may not run it.
BEGIN;
SELECT plan(19);

CREATE TEMP TABLE fx (name text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.fx(p_name text) RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.fx WHERE name = p_name $$;
GRANT SELECT ON fx TO vestige_app;
INSERT INTO fx VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob'));
INSERT INTO fx VALUES ('fox', vestige_test.memory(pg_temp.fx('alice'), 'The quick brown fox', p_tags => ARRAY['animals'])),
                      ('rain', vestige_test.memory(pg_temp.fx('bob'), 'It rains in Brest', 'public', p_node_type => 'event'));
-- Give the memories an old updated_at (the updated_at trigger is off for this write only).
SET LOCAL session_replication_role = replica;
UPDATE vestige.knowledge_nodes SET updated_at = '2020-01-01Z';
SET LOCAL session_replication_role = DEFAULT;

SELECT isnt_definer('vestige', 'set_fts_language', ARRAY['regconfig'],
                    'set_fts_language should not be SECURITY DEFINER (an operator function)');
SELECT function_privs_are('vestige', 'set_fts_language', ARRAY['regconfig'], 'vestige_app', '{}'::text[],
                          'vestige_app should have no privilege on set_fts_language');

SELECT is((SELECT fts_language FROM vestige.settings), 'english'::regconfig, 'the default language should be english');
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes WHERE search_tsv @@ plainto_tsquery((SELECT fts_language FROM vestige.settings), 'the')),
          0::bigint, 'in english a stop word should find no memory');
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes WHERE search_tsv @@ plainto_tsquery('simple', 'the')),
          0::bigint, 'in english the stop word should not be in any tsvector');

-- The application role may not run it.
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT throws_ok($$SELECT vestige.set_fts_language('simple')$$, '42501', NULL,
                 'vestige_app should not be allowed to change the language');
RESET ROLE;

-- The operator switches to simple as the owner role.
SET LOCAL ROLE vestige_owner;
SELECT throws_ok($$SELECT vestige.set_fts_language(NULL)$$, 'VS006', NULL, 'a NULL language should raise VS006');
SELECT is((SELECT fts_language FROM vestige.settings), 'english'::regconfig, 'a refused call should keep the language');
SELECT is(vestige.set_fts_language('simple'), 2::bigint,
          'set_fts_language should return the number of memories recomputed');
RESET ROLE;

SELECT is((SELECT fts_language FROM vestige.settings), 'simple'::regconfig, 'the language should be stored');
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes WHERE search_tsv @@ plainto_tsquery((SELECT fts_language FROM vestige.settings), 'the')$$,
              ARRAY[pg_temp.fx('fox')], 'in simple a stop word should find the memory that contains it');
SELECT ok((SELECT bool_and(search_tsv = vestige.memory_tsv('simple', content, node_type, tags)) FROM vestige.knowledge_nodes),
          'every memory should have the weighted tsvector in the new language');
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes WHERE updated_at <> '2020-01-01Z'), 0::bigint,
          'the recompute should not change updated_at');
SELECT is((SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'knowledge_nodes_updated_at' AND tgrelid = 'vestige.knowledge_nodes'::regclass),
          'O', 'the updated_at trigger should be enabled again');

-- New and edited memories use the new language, and edits still stamp updated_at.
INSERT INTO fx VALUES ('new', vestige_test.memory(pg_temp.fx('alice'), 'Over the hills'));
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes WHERE search_tsv @@ plainto_tsquery('simple', 'the')$$,
              ARRAY[pg_temp.fx('fox'), pg_temp.fx('new')], 'a memory stored after the switch should use the new language');
UPDATE vestige.knowledge_nodes SET content = 'It rains in the west' WHERE id = pg_temp.fx('rain');
SELECT results_eq($$SELECT updated_at > '2020-01-01Z', search_tsv @@ plainto_tsquery('simple', 'the') FROM vestige.knowledge_nodes WHERE id = pg_temp.fx('rain')$$,
                  $$VALUES (true, true)$$, 'an edit after the switch should stamp updated_at and use the new language');

-- And back to english, as superuser.
SELECT is(vestige.set_fts_language('english'), 3::bigint, 'switching back should recompute every memory');
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes WHERE search_tsv @@ plainto_tsquery('simple', 'the')),
          0::bigint, 'back in english the stop word should be gone from every tsvector');
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes WHERE search_tsv @@ plainto_tsquery('english', 'foxes')$$,
              ARRAY[pg_temp.fx('fox')], 'back in english stemming should work again');

SELECT * FROM finish();
ROLLBACK;
