-- pgTAP: vestige.import_apply moves a staged batch into the memory tables (owner, private,
-- staged ids and times kept, scheduling from the staged FSRS state), is a no-op when run again,
-- refreshes newer rows with p_update, and refuses vectors of another model or width.
BEGIN;
SELECT plan(18);

SELECT function_privs_are('vestige', 'import_apply', ARRAY['uuid', 'text', 'boolean'], 'vestige_app', ARRAY[]::text[],
                          'vestige_app should not be allowed to execute import_apply');

SELECT vestige_test.register_model();
SELECT vestige_test.user('alice');

CREATE TEMP TABLE batch ON COMMIT DROP AS
SELECT * FROM (VALUES
    ('00000000-0000-0000-0000-0000000000b1'::uuid, 'the old fact', '00000000-0000-0000-0000-0000000000b2'::uuid, '[1,0,0]'),
    ('00000000-0000-0000-0000-0000000000b2'::uuid, 'the new fact', NULL, '[0,1,0]'),
    ('00000000-0000-0000-0000-0000000000b3'::uuid, 'a fact without a vector', '00000000-0000-0000-0000-0000000000ff'::uuid, NULL)
) AS v(id, content, superseded_by, embedding);

CREATE FUNCTION pg_temp.stage(p_content_suffix text DEFAULT '', p_updated timestamptz DEFAULT '2026-01-02T00:00:00Z')
RETURNS void LANGUAGE sql AS $$
    INSERT INTO vestige.import_nodes
    SELECT b.id, b.content || p_content_suffix, 'fact', '{imported}', 'sqlite', '{"upstream": {"scope": "user"}}', '{}', '{}', NULL,
           NULL, NULL, false, b.superseded_by, 2, 0.8, 0.7, 3, '2026-01-03T00:00:00Z', '2026-01-01T00:00:00Z', p_updated,
           b.embedding::public.vector, 4.5, 6, 0.7, 'review', 3, 1, '2026-01-03T00:00:00Z', '2026-02-01T00:00:00Z'
      FROM batch AS b;
    INSERT INTO vestige.import_edges VALUES
        ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000b2', 'semantic', 0.5, '2026-01-01T00:00:00Z', NULL, 2),
        ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000ee', 'semantic', 0.5, '2026-01-01T00:00:00Z', NULL, 0);
    INSERT INTO vestige.import_intentions VALUES
        ('00000000-0000-0000-0000-0000000000c1', 'call the plumber', 'time', '{"at": "2026-03-01T00:00:00Z"}', 3, 'snoozed',
         NULL, NULL, '{}', '{00000000-0000-0000-0000-0000000000b1,00000000-0000-0000-0000-0000000000dd}',
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
$$;

SELECT pg_temp.stage();
SELECT results_eq(
    $$SELECT * FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash())$$,
    $$VALUES (3, 0, 0, 0, 1, 1, 1, 0)$$,
    'a first batch should insert 3 memories, 1 edge (the other has a missing end) and 1 intention');
SELECT results_eq(
    $$SELECT content, owner_user_id, visibility, created_at, updated_at, superseded_by, embedding IS NOT NULL
        FROM vestige.knowledge_nodes ORDER BY id$$,
    $$VALUES ('the old fact', vestige_test.user('alice'), 'private', '2026-01-01T00:00:00Z'::timestamptz, '2026-01-02T00:00:00Z'::timestamptz,
              '00000000-0000-0000-0000-0000000000b2'::uuid, true),
             ('the new fact', vestige_test.user('alice'), 'private', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', NULL, true),
             ('a fact without a vector', vestige_test.user('alice'), 'private', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', NULL, false)$$,
    'memories should keep their ids and times, belong to the owner, be private, and lose a supersession to a missing memory');
SELECT results_eq(
    $$SELECT stability, difficulty, state, reps, lapses, next_review FROM vestige.scheduling
       WHERE memory_id = '00000000-0000-0000-0000-0000000000b1'$$,
    $$VALUES (4.5::float8, 6::float8, 'review', 3, 1, '2026-02-01T00:00:00Z'::timestamptz)$$,
    'the scheduling row should carry the staged FSRS state');
SELECT is((SELECT search_tsv <> '' FROM vestige.knowledge_nodes WHERE id = '00000000-0000-0000-0000-0000000000b2'), true,
          'imported memories should be searchable by words');
SELECT results_eq(
    $$SELECT owner_user_id, status, snoozed_until, related_memory_ids FROM vestige.intentions$$,
    $$VALUES (vestige_test.user('alice'), 'snoozed', NULL::timestamptz, '{00000000-0000-0000-0000-0000000000b1}'::uuid[])$$,
    'an intention should belong to the owner and keep only related memories that exist');
SELECT is((SELECT count(*) FROM vestige.import_nodes) + (SELECT count(*) FROM vestige.import_edges), 0::bigint,
          'the staging tables should be empty after a batch');

SELECT pg_temp.stage();
SELECT results_eq(
    $$SELECT * FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash())$$,
    $$VALUES (0, 0, 3, 0, 0, 2, 0, 1)$$,
    'the same batch again should add nothing');

SELECT pg_temp.stage(' (changed)', '2026-05-01T00:00:00Z');
SELECT results_eq(
    $$SELECT * FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash(), p_update => true)$$,
    $$VALUES (0, 3, 0, 0, 0, 2, 0, 1)$$,
    'with p_update, rows changed later in the source should be refreshed');
SELECT is((SELECT content FROM vestige.knowledge_nodes WHERE id = '00000000-0000-0000-0000-0000000000b1'), 'the old fact (changed)',
          'the refreshed memory should have the new content');
SELECT pg_temp.stage(' (older)', '2025-01-01T00:00:00Z');
SELECT results_eq(
    $$SELECT memories_updated, memories_present FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash(), p_update => true)$$,
    $$VALUES (0, 3)$$,
    'with p_update, rows not newer in the source should be kept');

UPDATE batch SET embedding = '[0,0,1]' WHERE embedding IS NULL;
SELECT pg_temp.stage();
SELECT results_eq(
    $$SELECT memories_present, vectors_filled FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash())$$,
    $$VALUES (3, 1)$$,
    'a memory copied without a vector should get the vector of a later batch (a copy run again with --reembed)');
SELECT pg_temp.stage();
SELECT throws_ok($$SELECT * FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => repeat('b', 64))$$,
                 'VS003', NULL, 'vectors of another model should raise VS003');
SELECT throws_ok($$SELECT * FROM vestige.import_apply(p_owner => '00000000-0000-0000-0000-00000000dead', p_model_hash => vestige_test.model_hash())$$,
                 'VS011', NULL, 'an unknown owner should raise VS011');
TRUNCATE vestige.import_nodes, vestige.import_edges, vestige.import_intentions;
INSERT INTO vestige.import_nodes
SELECT '00000000-0000-0000-0000-0000000000b9', 'wide', 'fact', '{}', NULL, '{}', '{}', '{}', NULL, NULL, NULL, false, NULL,
       1, 1, 1, 0, now(), now(), now(), '[1,0,0,0]', NULL, NULL, 1, 'new', 0, 0, NULL, now();
SELECT throws_ok($$SELECT * FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash())$$,
                 'VS004', NULL, 'a vector of another width should raise VS004');
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes), 3::bigint, 'refused batches should write nothing');

-- begin / finish: on an empty table the index is dropped and rebuilt at the end.
DELETE FROM vestige.knowledge_nodes;
SELECT is(vestige.import_begin() AND to_regclass('vestige.knowledge_nodes_embedding_idx') IS NULL, true,
          'import_begin on an empty table should drop the HNSW index');
SELECT is(vestige.import_finish() AND to_regclass('vestige.knowledge_nodes_embedding_idx') IS NOT NULL, true,
          'import_finish should rebuild it');

SELECT * FROM finish();
ROLLBACK;
