-- pgTAP: vestige.health, the state of the deployment for monitoring. It needs no caller
-- identity and counts every user's memories (counts only).

BEGIN;
SELECT plan(19);

SELECT vestige_test.memory(vestige_test.user('alice'), 'alice private');
SELECT vestige_test.memory(vestige_test.user('bob'), 'bob private');

SET LOCAL ROLE vestige_app;

SELECT volatility_is('vestige', 'health', ARRAY[]::text[], 'stable', 'health should be STABLE');
SELECT lives_ok($$SELECT * FROM vestige.health()$$, 'health should work without a caller identity');

-- No model registered yet.
SELECT is((SELECT status FROM vestige.health()), 'degraded', 'without a registered model health should be degraded');
SELECT is((SELECT reasons FROM vestige.health()),
    ARRAY['no embedding model registered', 'memories without embedding: 2'],
    'the reasons should name the missing model and the 2 memories without a vector');
SELECT results_eq($$SELECT model_name, model_dimension, model_generation, hnsw_index_valid FROM vestige.health()$$,
    $$VALUES (NULL::text, NULL::integer, NULL::bigint, NULL::boolean)$$,
    'without a registered model there should be no model and no HNSW index');
SELECT results_eq($$SELECT memories, memories_without_embedding FROM vestige.health()$$,
    $$VALUES (2::bigint, 2::bigint)$$,
    'health should count the memories of every user (alice''s and bob''s private ones), without a caller identity');
SELECT is((SELECT postgres_version FROM vestige.health()), current_setting('server_version'),
    'postgres_version should be the server version');
SELECT is((SELECT pgvector_version FROM vestige.health()),
    (SELECT extversion::text FROM pg_catalog.pg_extension WHERE extname = 'vector'),
    'pgvector_version should be the installed extension version');
SELECT is((SELECT fts_language FROM vestige.health()), 'english', 'fts_language should be the configured default, english');

-- Register the 3-d test model: the index exists and is valid; the old memories still lack vectors.
RESET ROLE;
SELECT vestige_test.register_model();
SET LOCAL ROLE vestige_app;
SELECT results_eq($$SELECT model_name, model_dimension, model_generation, hnsw_index_valid FROM vestige.health()$$,
    $$VALUES ('test-model'::text, 3, 1::bigint, true)$$,
    'after register_model health should show the 3-d test model, generation 1, and a valid HNSW index');
SELECT results_eq($$SELECT status, reasons FROM vestige.health()$$,
    $$VALUES ('degraded'::text, ARRAY['memories without embedding: 2'])$$,
    'memories without a vector should still make health degraded');

-- Every memory gets a vector (and one more memory arrives with one): ok.
RESET ROLE;
UPDATE vestige.knowledge_nodes SET embedding = '[1,0,0]';
SELECT vestige_test.memory(vestige_test.user('carol'), 'carol public', 'public', '{}', '[0,1,0]');
SET LOCAL ROLE vestige_app;
SELECT results_eq($$SELECT status, reasons FROM vestige.health()$$,
    $$VALUES ('ok'::text, '{}'::text[])$$,
    'with a model, a valid index and every memory embedded health should be ok with no reasons');
SELECT results_eq($$SELECT memories, memories_without_embedding FROM vestige.health()$$,
    $$VALUES (3::bigint, 0::bigint)$$,
    'health should count 3 memories, none without a vector');

-- A full-text language change is reported.
RESET ROLE;
UPDATE vestige.settings SET fts_language = 'simple';
SET LOCAL ROLE vestige_app;
SELECT is((SELECT fts_language FROM vestige.health()), 'simple', 'fts_language should follow the settings table');

-- An invalid index (as a failed CREATE INDEX CONCURRENTLY leaves it).
RESET ROLE;
UPDATE pg_catalog.pg_index SET indisvalid = false
 WHERE indexrelid = 'vestige.knowledge_nodes_embedding_idx'::regclass;
SET LOCAL ROLE vestige_app;
SELECT is((SELECT hnsw_index_valid FROM vestige.health()), false, 'hnsw_index_valid should be false for an invalid index');
SELECT results_eq($$SELECT status, reasons FROM vestige.health()$$,
    $$VALUES ('degraded'::text, ARRAY['HNSW index invalid'])$$,
    'an invalid HNSW index should make health degraded');

-- A dropped index.
RESET ROLE;
DROP INDEX vestige.knowledge_nodes_embedding_idx;
SET LOCAL ROLE vestige_app;
SELECT is((SELECT hnsw_index_valid FROM vestige.health()), NULL, 'hnsw_index_valid should be NULL when the index is absent');
SELECT results_eq($$SELECT status, reasons FROM vestige.health()$$,
    $$VALUES ('degraded'::text, ARRAY['HNSW index missing'])$$,
    'a registered model without its HNSW index should make health degraded');

-- A caller identity changes nothing: health is the same for everyone.
SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT results_eq($$SELECT memories, memories_without_embedding FROM vestige.health()$$,
    $$VALUES (3::bigint, 0::bigint)$$,
    'with a caller identity health should still count every user''s memories');

SELECT * FROM finish();
ROLLBACK;
