-- pgTAP: vestige.register_model — stamps vector(N), builds the HNSW index, no-op on the same
-- signature, VS005 (with the reembed hint) on another one, VS006 on bad input.
BEGIN;
SELECT plan(38);

-- Fixtures (superuser): helpers only; the registry starts empty.
-- The SQL type of a column, as format_type prints it.
CREATE FUNCTION pg_temp.coltype(p_table regclass, p_column name) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute AS a
     WHERE a.attrelid = p_table AND a.attname = p_column AND NOT a.attisdropped
$$;
-- The registry and the column types, to check that a refused call changed nothing.
CREATE FUNCTION pg_temp.registry() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT concat_ws('|',
        (SELECT string_agg(m::text, ',' ORDER BY m.slot) FROM vestige.embedding_model AS m),
        pg_temp.coltype('vestige.knowledge_nodes', 'embedding'),
        pg_temp.coltype('vestige.domains', 'centroid'),
        (SELECT string_agg(i.indexrelid::text, ',') FROM pg_index AS i WHERE i.indrelid = 'vestige.knowledge_nodes'::regclass))
$$;
-- The HINT of the error a statement raises (NULL when it raises nothing).
CREATE FUNCTION pg_temp.hint_of(p_sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_hint text;
BEGIN
    EXECUTE p_sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_hint = PG_EXCEPTION_HINT;
    RETURN v_hint;
END
$$;
-- Register p_dimension, report the column type, and roll the registration back.
CREATE FUNCTION pg_temp.type_after_register(p_dimension integer) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vestige.register_model(p_name => 'boundary-model', p_dimension => p_dimension, p_hash => repeat('c', 64));
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = pg_temp.coltype('vestige.knowledge_nodes', 'embedding');
EXCEPTION WHEN SQLSTATE 'P0001' THEN
    RETURN SQLERRM;
END
$$;
CREATE TEMP TABLE before_index (indexrelid oid);
GRANT SELECT, INSERT ON before_index TO vestige_app;

SET LOCAL ROLE vestige_app;

-- Bad input on the empty registry: VS006, and the registry stays empty.
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => NULL, p_dimension => 3, p_hash => vestige_test.model_hash())$$,
                 'VS006', NULL, 'a NULL model name should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => '  ', p_dimension => 3, p_hash => vestige_test.model_hash())$$,
                 'VS006', NULL, 'a blank model name should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => repeat('n', 257), p_dimension => 3, p_hash => vestige_test.model_hash())$$,
                 'VS006', NULL, 'a model name longer than 256 characters should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => 0, p_hash => vestige_test.model_hash())$$,
                 'VS006', NULL, 'dimension 0 should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => 2001, p_hash => vestige_test.model_hash())$$,
                 'VS006', NULL, 'dimension 2001 (above the HNSW limit) should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => NULL, p_hash => vestige_test.model_hash())$$,
                 'VS006', NULL, 'a NULL dimension should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => 3, p_hash => repeat('a', 63))$$,
                 'VS006', NULL, 'a hash of 63 hex digits should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => 3, p_hash => repeat('A', 64))$$,
                 'VS006', NULL, 'an upper-case hash should raise VS006 (64 lowercase hex digits expected)');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => 3, p_hash => repeat('g', 64))$$,
                 'VS006', NULL, 'a 64-character hash that is not hex should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => 3, p_hash => NULL)$$,
                 'VS006', NULL, 'a NULL hash should raise VS006');
SELECT is((SELECT count(*)::int FROM vestige.embedding_model), 0, 'the refused registrations should leave the registry empty');
SELECT is(pg_temp.coltype('vestige.knowledge_nodes', 'embedding'), 'vector',
          'the embedding column should stay untyped (vector) until a model is registered');
SELECT hasnt_index('vestige', 'knowledge_nodes', 'knowledge_nodes_embedding_idx',
                   'there should be no HNSW index before a model is registered');

-- The boundary: 2000 dimensions (the HNSW limit) is accepted.
SELECT is(pg_temp.type_after_register(2000), 'vector(2000)', 'dimension 2000 should be accepted and stamp vector(2000)');

-- First registration, as vestige_app.
SELECT results_eq(
    $$SELECT name, dimension, hash, generation, pending_name, previous_name
        FROM vestige.register_model(p_name => 'test-model', p_dimension => 3, p_hash => vestige_test.model_hash())$$,
    $$VALUES ('test-model'::text, 3, vestige_test.model_hash(), 1::bigint, NULL::text, NULL::text)$$,
    'register_model on an empty registry should return the new active model at generation 1');
SELECT is(pg_temp.coltype('vestige.knowledge_nodes', 'embedding'), 'vector(3)',
          'register_model should type knowledge_nodes.embedding as vector(3)');
SELECT is(pg_temp.coltype('vestige.domains', 'centroid'), 'vector(3)',
          'register_model should type domains.centroid as vector(3)');
SELECT has_index('vestige', 'knowledge_nodes', 'knowledge_nodes_embedding_idx',
                 'register_model should create the index knowledge_nodes_embedding_idx');
SELECT matches(
    (SELECT indexdef FROM pg_indexes WHERE schemaname = 'vestige' AND indexname = 'knowledge_nodes_embedding_idx'),
    'USING hnsw \(embedding (public\.)?vector_cosine_ops\)',
    'the embedding index should be HNSW with cosine operators');
SELECT set_eq(
    $$SELECT unnest(c.reloptions) FROM pg_class AS c WHERE c.oid = 'vestige.knowledge_nodes_embedding_idx'::regclass$$,
    $$VALUES ('m=16'), ('ef_construction=64')$$,
    'the HNSW index should be built with m = 16 and ef_construction = 64');
SELECT results_eq(
    $$SELECT slot, name, dimension, hash, generation FROM vestige.embedding_model$$,
    $$VALUES ('active'::text, 'test-model'::text, 3, vestige_test.model_hash(), 1::bigint)$$,
    'the registry should hold one active row');

-- The same signature again is a no-op.
INSERT INTO before_index SELECT 'vestige.knowledge_nodes_embedding_idx'::regclass::oid;
SELECT results_eq(
    $$SELECT name, dimension, hash, generation
        FROM vestige.register_model(p_name => 'test-model', p_dimension => 3, p_hash => vestige_test.model_hash())$$,
    $$VALUES ('test-model'::text, 3, vestige_test.model_hash(), 1::bigint)$$,
    're-registering the same signature should return the same model at generation 1');
SELECT is((SELECT count(*)::int FROM vestige.embedding_model), 1, 're-registering the same signature should keep one registry row');
SELECT is('vestige.knowledge_nodes_embedding_idx'::regclass::oid, (SELECT indexrelid FROM before_index),
          're-registering the same signature should not rebuild the index');

-- A different signature is refused with VS005, and nothing changes.
CREATE TEMP TABLE before_registry ON COMMIT DROP AS SELECT pg_temp.registry() AS state;
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'other-model', p_dimension => 3, p_hash => vestige_test.model_hash())$$,
                 'VS005', NULL, 'registering another model name should raise VS005');
SELECT is(pg_temp.registry(), (SELECT state FROM before_registry), 'the refused model name should leave the registry and the columns unchanged');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => 4, p_hash => vestige_test.model_hash())$$,
                 'VS005', NULL, 'registering another dimension should raise VS005');
SELECT is(pg_temp.registry(), (SELECT state FROM before_registry), 'the refused dimension should leave the registry and the columns unchanged');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => 3, p_hash => repeat('b', 64))$$,
                 'VS005', NULL, 'registering another hash should raise VS005');
SELECT is(pg_temp.registry(), (SELECT state FROM before_registry), 'the refused hash should leave the registry and the columns unchanged');
SELECT matches(
    pg_temp.hint_of($$SELECT * FROM vestige.register_model(p_name => 'other-model', p_dimension => 384, p_hash => repeat('b', 64))$$),
    'vestige migrate reembed',
    'the VS005 hint should tell the operator to run `vestige migrate reembed`');
SELECT throws_ok($$SELECT * FROM vestige.register_model(p_name => 'test-model', p_dimension => 0, p_hash => vestige_test.model_hash())$$,
                 'VS006', NULL, 'bad input on a registered registry should still raise VS006, not VS005');
SELECT is(pg_temp.registry(), (SELECT state FROM before_registry), 'the refused bad input should leave the registry unchanged');

-- Privileges: the API is for vestige_app, not PUBLIC.
SELECT ok(has_function_privilege('vestige_app', 'vestige.register_model(text, integer, text)', 'EXECUTE'),
          'vestige_app should be allowed to execute register_model');
SELECT ok(NOT has_function_privilege('public', 'vestige.register_model(text, integer, text)', 'EXECUTE'),
          'PUBLIC should not be allowed to execute register_model');
SELECT is_definer('vestige', 'register_model', ARRAY['text', 'integer', 'text'],
                  'register_model should be SECURITY DEFINER (it runs DDL on owner tables)');
SELECT ok(EXISTS (SELECT FROM vestige.registered_model()), 'vestige_app should read the registration through registered_model');
SELECT is((SELECT generation FROM vestige.registered_model()), 1::bigint, 'the generation should still be 1 after all the refused calls');

SELECT * FROM finish();
ROLLBACK;
