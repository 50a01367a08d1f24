-- pgTAP: vestige.memory_words, the text leg's narrow copy, stays exactly the projection of
-- knowledge_nodes through every write, is not fired by the testing effect, and is not readable
-- by vestige_app.
BEGIN;
SELECT plan(14);

CREATE FUNCTION pg_temp.words_match() RETURNS boolean LANGUAGE sql AS $$
    SELECT NOT EXISTS (
        (SELECT n.id, n.owner_user_id, n.visibility, n.shared_with_groups, n.superseded_by IS NOT NULL, n.search_tsv
           FROM vestige.knowledge_nodes AS n
         EXCEPT
         SELECT w.id, w.owner_user_id, w.visibility, w.shared_with_groups, w.superseded, w.search_tsv
           FROM vestige.memory_words AS w)
        UNION ALL
        (SELECT w.id, w.owner_user_id, w.visibility, w.shared_with_groups, w.superseded, w.search_tsv
           FROM vestige.memory_words AS w
         EXCEPT
         SELECT n.id, n.owner_user_id, n.visibility, n.shared_with_groups, n.superseded_by IS NOT NULL, n.search_tsv
           FROM vestige.knowledge_nodes AS n));
$$;

SELECT vestige_test.user('a'), vestige_test.user('b');
SELECT vestige_test.group('g', vestige_test.user('a'), ARRAY[vestige_test.user('b')]);
SELECT vestige_test.register_model();
CREATE TEMP TABLE m (name text PRIMARY KEY, id uuid) ON COMMIT DROP;
GRANT SELECT ON m TO vestige_app;
INSERT INTO m VALUES
  ('one', vestige_test.memory(vestige_test.user('a'), 'the staging database is rebuilt every Monday', p_embedding => '[1,0,0]')),
  ('two', vestige_test.memory(vestige_test.user('a'), 'the release train leaves on Thursdays', p_tags => '{ops}'));
SELECT ok(pg_temp.words_match() AND (SELECT count(*) FROM vestige.memory_words) = (SELECT count(*) FROM vestige.knowledge_nodes),
          'an inserted memory should be copied into memory_words');

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT throws_ok($$SELECT * FROM vestige.memory_words$$, '42501', NULL, 'vestige_app should not read memory_words');
SELECT throws_ok($$INSERT INTO vestige.memory_words VALUES (gen_random_uuid(), vestige_test.user('a'), 'public', '{}', false, 'x')$$,
                 '42501', NULL, 'vestige_app should not write memory_words (a forged copy would reach other callers'' searches)');
SELECT throws_ok($$UPDATE vestige.memory_words SET visibility = 'public'$$, '42501', NULL,
                 'vestige_app should not change who may see a memory''s words');
SELECT vestige.update_memory(p_id => (SELECT id FROM m WHERE name = 'one'), p_content => 'the staging database is rebuilt every Friday');
SELECT vestige.share_memory((SELECT id FROM m WHERE name = 'two'), 'group', ARRAY[vestige_test.group_id('g')]);
RESET ROLE;
SELECT ok(pg_temp.words_match(), 'new words and a new visibility and groups should be copied');
SELECT ok((SELECT search_tsv @@ 'friday'::tsquery FROM vestige.memory_words WHERE id = (SELECT id FROM m WHERE name = 'one')),
          'the copy should hold the new words');

-- The testing effect changes no copied column: the update trigger does not fire.
CREATE TEMP TABLE before_touch ON COMMIT DROP AS SELECT xmin::text AS x FROM vestige.memory_words WHERE id = (SELECT id FROM m WHERE name = 'one');
SET LOCAL ROLE vestige_app;
SELECT is(vestige.touch_memories(ARRAY[(SELECT id FROM m WHERE name = 'one')]), 1, 'the owner''s touch should change the memory');
RESET ROLE;
SELECT is((SELECT xmin::text FROM vestige.memory_words WHERE id = (SELECT id FROM m WHERE name = 'one')), (SELECT x FROM before_touch),
          'a touch should leave the copy as it was (the update trigger does not fire)');

-- Supersession, then the full-text language, then a delete.
UPDATE vestige.knowledge_nodes SET superseded_by = (SELECT id FROM m WHERE name = 'two') WHERE id = (SELECT id FROM m WHERE name = 'one');
SELECT ok((SELECT superseded FROM vestige.memory_words WHERE id = (SELECT id FROM m WHERE name = 'one')) AND pg_temp.words_match(),
          'a superseded memory should be marked superseded in the copy');
UPDATE vestige.knowledge_nodes SET superseded_by = NULL WHERE id = (SELECT id FROM m WHERE name = 'one');
SELECT ok(NOT (SELECT superseded FROM vestige.memory_words WHERE id = (SELECT id FROM m WHERE name = 'one')),
          'a memory no longer superseded should be unmarked');
SELECT vestige.set_fts_language('simple');
SELECT ok(pg_temp.words_match() AND (SELECT search_tsv @@ 'every'::tsquery FROM vestige.memory_words WHERE id = (SELECT id FROM m WHERE name = 'one')),
          'a new full-text language should be copied (simple keeps the stop word every)');
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT vestige.delete_memory((SELECT id FROM m WHERE name = 'two'));
RESET ROLE;
SELECT ok(pg_temp.words_match() AND NOT EXISTS (SELECT FROM vestige.memory_words WHERE id = (SELECT id FROM m WHERE name = 'two')),
          'a deleted memory''s copy should go with it');

SELECT is((SELECT c.reloptions FROM pg_catalog.pg_class AS c WHERE c.oid = 'vestige.memory_words_search_tsv_idx'::regclass),
          '{fastupdate=off}'::text[], 'the text index searches read should take new entries at once (fastupdate off)');
SELECT is(to_regclass('vestige.knowledge_nodes_search_tsv_idx'), NULL, 'knowledge_nodes should have no full-text index of its own');

SELECT * FROM finish();
ROLLBACK;
