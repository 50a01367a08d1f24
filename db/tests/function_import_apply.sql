-- pgTAP: vestige.import_apply moves a staged batch into the memory tables (owner, private,
-- staged ids and times kept, scheduling from the staged FSRS state), is a no-op when run again,
-- refreshes newer rows with p_update, refuses vectors of another model or width, and judges every
-- staged text once for secrets (p_secrets: raise, skip or redact). import_begin and import_finish
-- drop and build the HNSW and secondary indexes of an empty store.
BEGIN;
SELECT plan(33);

SELECT function_privs_are('vestige', 'import_apply', ARRAY['uuid', 'text', 'boolean', 'text'], 'vestige_app', ARRAY[]::text[],
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
    $$VALUES (3, 0, 0, 0, 1, 1, 1, 0, '[]'::jsonb)$$,
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
    $$VALUES (0, 0, 3, 0, 0, 2, 0, 1, '[]'::jsonb)$$,
    'the same batch again should add nothing');

SELECT pg_temp.stage(' (changed)', '2026-05-01T00:00:00Z');
SELECT results_eq(
    $$SELECT * FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash(), p_update => true)$$,
    $$VALUES (0, 3, 0, 0, 0, 2, 0, 1, '[]'::jsonb)$$,
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

-- Secrets: each staged text judged once; p_secrets decides.
CREATE TEMP TABLE token ON COMMIT DROP AS SELECT 'gh' || 'p_' || repeat('A1b2', 9) AS value;  -- built here, held nowhere
CREATE FUNCTION pg_temp.stage_secrets() RETURNS void LANGUAGE sql AS $$
    TRUNCATE vestige.import_nodes, vestige.import_edges, vestige.import_intentions;
    INSERT INTO vestige.import_nodes
    SELECT v.id, v.content, 'fact', '{}', NULL, '{}', '{}', '{}', NULL, NULL, NULL, false, NULL,
           1, 1, 1, 0, now(), now(), now(), '[0,0,1]', NULL, NULL, 1, 'new', 0, 0, NULL, now()
      FROM (VALUES ('00000000-0000-0000-0000-0000000000d1'::uuid, 'my token is ' || (SELECT value FROM token) || ' for CI'),
                   ('00000000-0000-0000-0000-0000000000d2'::uuid, 'a plain fact')) AS v (id, content);
    INSERT INTO vestige.import_intentions VALUES
        ('00000000-0000-0000-0000-0000000000d3', 'rotate ' || (SELECT value FROM token), 'manual', '{}', 2, 'active',
         NULL, NULL, '{}', '{}', now(), now());
$$;
SELECT pg_temp.stage_secrets();
SELECT throws_ok($$SELECT * FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash())$$,
                 'VS017', NULL, 'by default a staged text that holds a secret should refuse the batch (VS017)');
SELECT pg_temp.stage_secrets();
SELECT throws_ok($$SELECT * FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash(), p_secrets => 'ignore')$$,
                 'VS006', NULL, 'an unknown secrets policy should raise VS006');
SELECT pg_temp.stage_secrets();
SELECT results_eq(
    $$SELECT memories_inserted, intentions_inserted, secrets
        FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash(), p_secrets => 'skip')$$,
    $$VALUES (1, 0, '[{"id": "00000000-0000-0000-0000-0000000000d3", "item": "intention", "kind": "github_token", "position": 8},
                     {"id": "00000000-0000-0000-0000-0000000000d1", "item": "memory", "kind": "github_token", "position": 13}]'::jsonb)$$,
    'with skip, the rows that hold a secret should be left out and each secret returned (kind and position, no value)');
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes WHERE id IN ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000d3'))
          + (SELECT count(*) FROM vestige.intentions WHERE id = '00000000-0000-0000-0000-0000000000d3'), 0::bigint,
          'with skip, nothing that holds a secret should be stored');
DELETE FROM vestige.knowledge_nodes WHERE id = '00000000-0000-0000-0000-0000000000d2';
SELECT pg_temp.stage_secrets();
SELECT results_eq(
    $$SELECT memories_inserted, intentions_inserted, jsonb_array_length(secrets)
        FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash(), p_secrets => 'redact')$$,
    $$VALUES (2, 1, 2)$$,
    'with redact, every row should be stored and each secret returned');
SELECT results_eq(
    $$SELECT content, embedding IS NULL FROM vestige.knowledge_nodes WHERE id IN ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000d2') ORDER BY id$$,
    $$VALUES ('my token is [REDACTED:github_token] for CI', true), ('a plain fact', false)$$,
    'with redact, a memory should hold [REDACTED:kind] and lose its staged vector (made from the secret); the others keep theirs');
SELECT is((SELECT content FROM vestige.intentions WHERE id = '00000000-0000-0000-0000-0000000000d3'), 'rotate [REDACTED:github_token]',
          'with redact, an intention should hold [REDACTED:kind]');
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes WHERE content LIKE '%' || (SELECT value FROM token) || '%'), 0::bigint,
          'no stored memory should hold the secret');

-- begin / finish: on an empty table the HNSW and the secondary indexes are dropped and built at the end.
DELETE FROM vestige.knowledge_nodes;
CREATE TEMP TABLE indexes_before ON COMMIT DROP AS
SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
  FROM pg_index WHERE indrelid IN ('vestige.knowledge_nodes'::regclass, 'vestige.memory_words'::regclass, 'vestige.scheduling'::regclass,
                   'vestige.edges'::regclass);
SELECT is(vestige.import_begin() AND to_regclass('vestige.knowledge_nodes_embedding_idx') IS NULL, true,
          'import_begin on an empty table should drop the HNSW index');
SELECT set_eq(
    $$SELECT indexrelid::regclass::text FROM pg_index
       WHERE indrelid IN ('vestige.knowledge_nodes'::regclass, 'vestige.memory_words'::regclass, 'vestige.scheduling'::regclass,
                   'vestige.edges'::regclass)$$,
    ARRAY['vestige.knowledge_nodes_pkey', 'vestige.memory_words_pkey', 'vestige.scheduling_pkey', 'vestige.edges_pkey'],
    'import_begin on an empty table should drop every index that enforces nothing, keeping the primary keys');
SELECT is((SELECT cardinality(index_defs) FROM vestige.import_state), (SELECT count(*)::int - 5 FROM indexes_before),
          'import_begin should record the definition of each index it dropped (all but the HNSW index and the four keys)');
SELECT pg_temp.stage_secrets();
SELECT is((SELECT memories_inserted FROM vestige.import_apply(p_owner => vestige_test.user('alice'), p_model_hash => vestige_test.model_hash(), p_secrets => 'skip')),
          1, 'a batch should be applied while the indexes are dropped');
SELECT is(vestige.import_begin(), false, 'import_begin run again on a store that has memories (an interrupted import) should say so');
SELECT is((SELECT cardinality(index_defs) FROM vestige.import_state), (SELECT count(*)::int - 5 FROM indexes_before),
          'import_begin run again should keep the recorded definitions');
SELECT is(vestige.import_finish() AND to_regclass('vestige.knowledge_nodes_embedding_idx') IS NOT NULL, true,
          'import_finish should rebuild the HNSW index');
SELECT set_eq(
    $$SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
       WHERE indrelid IN ('vestige.knowledge_nodes'::regclass, 'vestige.memory_words'::regclass, 'vestige.scheduling'::regclass,
                   'vestige.edges'::regclass)$$,
    $$SELECT name, def FROM indexes_before$$,
    'import_finish should build every dropped index again, as it was defined');
SELECT is((SELECT count(*) FROM vestige.import_state), 0::bigint, 'import_finish should forget the import');

SELECT * FROM finish();
ROLLBACK;
