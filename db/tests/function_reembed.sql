-- pgTAP: the model switch life cycle (`vestige migrate reembed`, `rollback`, `cleanup`):
-- vestige.reembed_prepare, reembed_todo, reembed_apply, reembed_lock, reembed_switch,
-- reembed_rollback (abandon and the way back), reembed_cleanup and reembed_status. The test
-- model (3-d, hash repeat('a', 64)) is switched to test-model-2 (2-d, hash repeat('b', 64)) with
-- hand-written vectors, rolled back, cleaned up, then an --offline switch to test-model-3 (4-d,
-- hash repeat('c', 64)) is abandoned. The operator functions run as superuser (and as
-- vestige_owner where marked); vestige_app only calls the API.
BEGIN;
SELECT plan(168);

-- Fixtures (superuser): helpers first.
-- The SQL type of a column, as format_type prints it (NULL when the column does not exist).
CREATE FUNCTION pg_temp.coltype(p_table regclass, p_column name) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute AS a
     WHERE a.attrelid = p_table AND a.attname = p_column AND NOT a.attisdropped
$$;
-- One vector column of a memory or a domain, read by name (the columns come and go).
CREATE FUNCTION pg_temp.vec(p_id uuid, p_column name) RETURNS public.vector
LANGUAGE plpgsql VOLATILE AS $$
DECLARE v public.vector;
BEGIN
    EXECUTE format('SELECT n.%I FROM vestige.knowledge_nodes AS n WHERE n.id = $1', p_column) INTO v USING p_id;
    RETURN v;
END $$;
CREATE FUNCTION pg_temp.centroid(p_id text, p_column name) RETURNS public.vector
LANGUAGE plpgsql VOLATILE AS $$
DECLARE v public.vector;
BEGIN
    EXECUTE format('SELECT d.%I FROM vestige.domains AS d WHERE d.id = $1', p_column) INTO v USING p_id;
    RETURN v;
END $$;
-- Whether a vector has norm 1 and the direction of p_direction (centroids are normalised means).
CREATE FUNCTION pg_temp.unit_along(p_vec public.vector, p_direction public.vector) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT abs(public.vector_norm(p_vec) - 1) < 1e-6 AND public.cosine_distance(p_vec, p_direction) < 1e-6
$$;
-- The registry, the vector columns and the vector indexes, to check that a refused call changed nothing.
CREATE FUNCTION pg_temp.registry() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT concat_ws(' | ',
        (SELECT string_agg(concat_ws(',', m.slot, m.name, m.dimension, m.hash, m.generation), ';' ORDER BY m.slot)
           FROM vestige.embedding_model AS m),
        (SELECT string_agg(a.attrelid::regclass::text || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ';'
                           ORDER BY a.attrelid::regclass::text, a.attname)
           FROM pg_attribute AS a
          WHERE a.attrelid IN ('vestige.knowledge_nodes'::regclass, 'vestige.domains'::regclass)
            AND a.attnum > 0 AND NOT a.attisdropped
            AND (a.attname LIKE 'embedding%' OR a.attname LIKE 'centroid%')),
        (SELECT string_agg(c.relname || ' ' || i.indisvalid, ';' ORDER BY c.relname)
           FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
          WHERE i.indrelid = 'vestige.knowledge_nodes'::regclass AND c.relname LIKE 'knowledge_nodes_embedding%'))
$$;
-- Every memory row as text (whatever columns exist), to check that a refused apply wrote nothing.
CREATE FUNCTION pg_temp.nodes() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE v text;
BEGIN
    EXECUTE 'SELECT string_agg(to_jsonb(n)::text, E''\n'' ORDER BY n.id) FROM vestige.knowledge_nodes AS n' INTO v;
    RETURN v;
END $$;
CREATE TEMP TABLE saved (k text PRIMARY KEY, v text);
CREATE FUNCTION pg_temp.save(p_key text, p_value text) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO saved AS s (k, v) VALUES (p_key, p_value) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v
$$;
CREATE FUNCTION pg_temp.saved(p_key text) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT s.v FROM saved AS s WHERE s.k = p_key $$;
-- The memories by name: alice's a1..a4, bob's b1.
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_name WHEN 'a1' THEN '0000000a-0000-0000-0000-000000000001'::uuid
                       WHEN 'a2' THEN '0000000a-0000-0000-0000-000000000002'::uuid
                       WHEN 'a3' THEN '0000000a-0000-0000-0000-000000000003'::uuid
                       WHEN 'a4' THEN '0000000a-0000-0000-0000-000000000004'::uuid
                       WHEN 'b1' THEN '0000000b-0000-0000-0000-000000000001'::uuid END
$$;
GRANT SELECT ON saved TO vestige_app;

-- ---------------------------------------------------------------------------------------------
-- Privileges: the operator functions are not for the application role; reembed_status is.
SELECT ok(NOT has_function_privilege('vestige_app', 'vestige.reembed_prepare(text, integer, text, boolean)', 'EXECUTE'),
          'vestige_app should not be allowed to execute reembed_prepare');
SELECT ok(NOT has_function_privilege('vestige_app', 'vestige.reembed_todo(uuid, integer)', 'EXECUTE'),
          'vestige_app should not be allowed to execute reembed_todo');
SELECT ok(NOT has_function_privilege('vestige_app', 'vestige.reembed_apply(text)', 'EXECUTE'),
          'vestige_app should not be allowed to execute reembed_apply');
SELECT ok(NOT has_function_privilege('vestige_app', 'vestige.reembed_lock()', 'EXECUTE'),
          'vestige_app should not be allowed to execute reembed_lock');
SELECT ok(NOT has_function_privilege('vestige_app', 'vestige.reembed_switch(text)', 'EXECUTE'),
          'vestige_app should not be allowed to execute reembed_switch');
SELECT ok(NOT has_function_privilege('vestige_app', 'vestige.reembed_rollback()', 'EXECUTE'),
          'vestige_app should not be allowed to execute reembed_rollback');
SELECT ok(NOT has_function_privilege('vestige_app', 'vestige.reembed_cleanup()', 'EXECUTE'),
          'vestige_app should not be allowed to execute reembed_cleanup');
SELECT ok(NOT has_function_privilege('vestige_app', 'vestige.model_lock(boolean)', 'EXECUTE'),
          'vestige_app should not be allowed to execute model_lock');
SELECT ok(NOT has_function_privilege('public', 'vestige.reembed_prepare(text, integer, text, boolean)', 'EXECUTE'),
          'PUBLIC should not be allowed to execute reembed_prepare');
SELECT ok(has_function_privilege('vestige_app', 'vestige.reembed_status()', 'EXECUTE'),
          'vestige_app should be allowed to execute reembed_status');
SELECT is_definer('vestige', 'reembed_status', '{}'::name[],
                  'reembed_status should be SECURITY DEFINER (it counts the memories of every user)');
SELECT ok(NOT has_table_privilege('vestige_app', 'vestige.reembed_vectors', 'SELECT, INSERT, DELETE'),
          'vestige_app should have no privilege on the staging table reembed_vectors');
SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => 'test-model-2', p_dimension => 2, p_hash => repeat('b', 64))$$,
                 '42501', NULL, 'vestige_app calling reembed_prepare should be refused with 42501');
SELECT throws_ok($$SELECT * FROM vestige.reembed_switch(p_model_hash => repeat('b', 64))$$,
                 '42501', NULL, 'vestige_app calling reembed_switch should be refused with 42501');
RESET ROLE;

-- ---------------------------------------------------------------------------------------------
-- Nothing registered yet.
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => 'test-model-2', p_dimension => 2, p_hash => repeat('b', 64))$$,
                 'VS002', NULL, 'reembed_prepare with no model registered should raise VS002');
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => 'test-model-2', p_dimension => 0, p_hash => repeat('b', 64))$$,
                 'VS006', NULL, 'reembed_prepare with a bad signature should raise VS006 even with no model registered');
SELECT is_empty($$SELECT * FROM vestige.reembed_todo(p_after => NULL, p_limit => 10)$$,
                'reembed_todo with no switch in progress and no memory should return nothing');
SELECT throws_ok($$SELECT * FROM vestige.reembed_todo(p_after => NULL, p_limit => 0)$$,
                 'VS006', NULL, 'reembed_todo with limit 0 should raise VS006 even with no switch in progress');
SELECT throws_ok($$SELECT vestige.reembed_rollback()$$,
                 'VS014', NULL, 'reembed_rollback with nothing registered should raise VS014 (nothing to roll back)');
SELECT is(vestige.reembed_cleanup(), false, 'reembed_cleanup with nothing registered should return false');
SET LOCAL ROLE vestige_app;
SELECT results_eq(
    $$SELECT active_name, generation, pending_name, previous_name, memories, active_index, import_running
        FROM vestige.reembed_status()$$,
    $$VALUES (NULL::text, NULL::bigint, NULL::text, NULL::text, 0::bigint, 'missing'::text, false)$$,
    'reembed_status with nothing registered should report no model, no memory and no index');
RESET ROLE;

-- The 3-d test model; alice's memories a1..a3 and bob's private b1; domains d1 (a1, a2),
-- d2 (b1) and d3 (no member), created by alice with centroids of the old model.
SELECT vestige_test.register_model();
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT vestige.insert_memory(p_content => 'alpha one', p_embedding => '[1,0,0]', p_model_hash => repeat('a', 64),
                             p_domains => ARRAY['d1'], p_id => pg_temp.m('a1'));
SELECT vestige.insert_memory(p_content => 'beta two', p_embedding => '[0,1,0]', p_model_hash => repeat('a', 64),
                             p_domains => ARRAY['d1'], p_id => pg_temp.m('a2'));
SELECT vestige.insert_memory(p_content => 'gamma three', p_id => pg_temp.m('a3'));
SELECT * FROM vestige.upsert_domain(p_id => 'd1', p_label => 'Domain one', p_centroid => '[1,0,0]', p_model_hash => repeat('a', 64));
SELECT * FROM vestige.upsert_domain(p_id => 'd2', p_label => 'Domain two', p_centroid => '[0,1,0]', p_model_hash => repeat('a', 64));
SELECT * FROM vestige.upsert_domain(p_id => 'd3', p_label => 'Domain three', p_centroid => '[0,0,1]', p_model_hash => repeat('a', 64));
SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT vestige.insert_memory(p_content => 'delta four', p_embedding => '[0,0,1]', p_model_hash => repeat('a', 64),
                             p_domains => ARRAY['d2'], p_id => pg_temp.m('b1'));
SELECT vestige_test.act_as(NULL);

-- ---------------------------------------------------------------------------------------------
-- Status before any switch, read by vestige_app as alice: the counts cover bob's private memory too.
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT results_eq(
    $$SELECT active_name, active_dimension, active_hash, generation, pending_name, rolling_back IS TRUE, previous_name,
             active_index, pending_index, previous_index, import_running
        FROM vestige.reembed_status()$$,
    $$VALUES ('test-model'::text, 3, repeat('a', 64), 1::bigint, NULL::text, false, NULL::text,
              'valid'::text, 'missing'::text, 'missing'::text, false)$$,
    'reembed_status should report the active test model, no pending nor previous model, and only the active index');
SELECT results_eq(
    $$SELECT memories, active_missing, pending_missing, previous_missing FROM vestige.reembed_status()$$,
    $$VALUES (4::bigint, 1::bigint, NULL::bigint, NULL::bigint)$$,
    'reembed_status called as alice should count the 4 memories of alice and bob, 1 without a vector');
SELECT ok((SELECT table_bytes > 0 AND index_bytes > 0 FROM vestige.reembed_status()),
          'reembed_status should report the table and active index sizes in bytes');
RESET ROLE;

-- ---------------------------------------------------------------------------------------------
-- reembed_prepare: refusals change nothing.
SELECT pg_temp.save('registry', pg_temp.registry());
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => ' ', p_dimension => 2, p_hash => repeat('b', 64))$$,
                 'VS006', NULL, 'reembed_prepare with a blank model name should raise VS006');
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => 'test-model-2', p_dimension => 2001, p_hash => repeat('b', 64))$$,
                 'VS006', NULL, 'reembed_prepare with 2001 dimensions should raise VS006');
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => 'test-model-2', p_dimension => 2, p_hash => repeat('B', 64))$$,
                 'VS006', NULL, 'reembed_prepare with an upper-case hash should raise VS006');
INSERT INTO vestige.import_state DEFAULT VALUES;
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => 'test-model-2', p_dimension => 2, p_hash => repeat('b', 64))$$,
                 'VS014', NULL, 'reembed_prepare while a bulk import is running (import_state row) should raise VS014');
SELECT is((SELECT import_running FROM vestige.reembed_status()), true, 'reembed_status should report the running import');
DELETE FROM vestige.import_state;
SELECT is(pg_temp.registry(), pg_temp.saved('registry'), 'the refused reembed_prepare calls should leave the registry, columns and indexes unchanged');
SELECT is(vestige.reembed_prepare(p_name => 'test-model', p_dimension => 3, p_hash => repeat('a', 64)), 'current',
          'reembed_prepare with the active model should return current');
SELECT is(pg_temp.registry(), pg_temp.saved('registry'), 'reembed_prepare with the active model should change nothing');

-- reembed_prepare: the switch starts (run by the owner).
SET LOCAL ROLE vestige_owner;
SELECT is(vestige.reembed_prepare(p_name => 'test-model-2', p_dimension => 2, p_hash => repeat('b', 64)), 'prepared',
          'reembed_prepare run by vestige_owner should return prepared');
RESET ROLE;
SELECT is(pg_temp.coltype('vestige.knowledge_nodes', 'embedding_pending'), 'vector(2)',
          'reembed_prepare should add knowledge_nodes.embedding_pending typed vector(2)');
SELECT is(pg_temp.coltype('vestige.domains', 'centroid_pending'), 'vector(2)',
          'reembed_prepare should add domains.centroid_pending typed vector(2)');
SELECT results_eq(
    $$SELECT slot, name, dimension, hash, generation FROM vestige.embedding_model ORDER BY slot$$,
    $$VALUES ('active'::text, 'test-model'::text, 3, repeat('a', 64), 1::bigint),
             ('pending', 'test-model-2', 2, repeat('b', 64), 2)$$,
    'reembed_prepare should add the pending model with the next generation and keep the active one');
SELECT has_index('vestige', 'knowledge_nodes', 'knowledge_nodes_embedding_idx',
                 'reembed_prepare without p_offline should keep the active index');
SELECT pg_temp.save('registry', pg_temp.registry());
SELECT is(vestige.reembed_prepare(p_name => 'test-model-2', p_dimension => 2, p_hash => repeat('b', 64)), 'pending',
          'reembed_prepare again with the pending model should return pending (resume)');
SELECT is(pg_temp.registry(), pg_temp.saved('registry'), 'reembed_prepare of the pending model again should change nothing');
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => 'test-model-3', p_dimension => 4, p_hash => repeat('c', 64))$$,
                 'VS014', NULL, 'reembed_prepare of another model while one is pending should raise VS014');
SELECT is(pg_temp.registry(), pg_temp.saved('registry'), 'the refused reembed_prepare of another model should change nothing');
SET LOCAL ROLE vestige_app;
SELECT results_eq(
    $$SELECT generation, pending_name, pending_dimension, pending_hash, rolling_back, pending_missing, pending_index
        FROM vestige.reembed_status()$$,
    $$VALUES (1::bigint, 'test-model-2'::text, 2, repeat('b', 64), false, 4::bigint, 'missing'::text)$$,
    'reembed_status should report the pending model, not rolling back, with all 4 memories missing a new vector and no index');
SELECT results_eq(
    $$SELECT name, generation, pending_name, pending_dimension, previous_name FROM vestige.registered_model()$$,
    $$VALUES ('test-model'::text, 1::bigint, 'test-model-2'::text, 2, NULL::text)$$,
    'registered_model should show the pending model while the active one keeps serving');
RESET ROLE;

-- ---------------------------------------------------------------------------------------------
-- reembed_todo: limits and paging, over every user's memories, in id order.
SELECT throws_ok($$SELECT * FROM vestige.reembed_todo(p_after => NULL, p_limit => 0)$$,
                 'VS006', NULL, 'reembed_todo with limit 0 should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.reembed_todo(p_after => NULL, p_limit => 100001)$$,
                 'VS006', NULL, 'reembed_todo with limit 100001 should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.reembed_todo(p_after => NULL, p_limit => NULL)$$,
                 'VS006', NULL, 'reembed_todo with a NULL limit should raise VS006');
SELECT results_eq(
    $$SELECT id, content, content_md5 FROM vestige.reembed_todo(p_after => NULL, p_limit => 2)$$,
    $$VALUES (pg_temp.m('a1'), 'alpha one'::text, md5('alpha one')), (pg_temp.m('a2'), 'beta two', md5('beta two'))$$,
    'reembed_todo from the start with limit 2 should return the first two memories in id order with the md5 of their content');
SELECT results_eq(
    $$SELECT id FROM vestige.reembed_todo(p_after => pg_temp.m('a2'), p_limit => 10)$$,
    $$VALUES (pg_temp.m('a3')), (pg_temp.m('b1'))$$,
    'reembed_todo after the second id should return the rest, bob''s memory included');
SELECT is_empty($$SELECT * FROM vestige.reembed_todo(p_after => pg_temp.m('b1'), p_limit => 10)$$,
                'reembed_todo after the last id should return nothing');
SELECT is((SELECT count(*) FROM vestige.reembed_todo(p_after => NULL, p_limit => 100000)), 4::bigint,
          'reembed_todo with the largest limit should return all 4 memories');
-- The text before each memory in its ingest batch: the source of its earliest temporal edge.
INSERT INTO vestige.edges (source_id, target_id, edge_type, created_at) VALUES
    (pg_temp.m('a1'), pg_temp.m('a2'), 'temporal', now() - interval '1 day'),
    (pg_temp.m('a3'), pg_temp.m('a2'), 'temporal', now()),
    (pg_temp.m('a2'), pg_temp.m('a3'), 'related', now());
SELECT results_eq(
    $$SELECT id, content_before FROM vestige.reembed_todo(p_after => NULL, p_limit => 10)$$,
    $$VALUES (pg_temp.m('a1'), NULL::text), (pg_temp.m('a2'), 'alpha one'), (pg_temp.m('a3'), NULL), (pg_temp.m('b1'), NULL)$$,
    'reembed_todo should give the content of the source of each memory''s earliest temporal edge, and NULL for other edges or none');
DELETE FROM vestige.edges WHERE target_id IN (pg_temp.m('a2'), pg_temp.m('a3'));

-- ---------------------------------------------------------------------------------------------
-- reembed_apply: refusals write nothing. Stage the four new vectors first.
INSERT INTO vestige.reembed_vectors (id, content_md5, embedding)
SELECT t.id, t.content_md5, v.embedding
  FROM vestige.reembed_todo(p_after => NULL, p_limit => 10) AS t
  JOIN (VALUES (pg_temp.m('a1'), '[2,0]'::public.vector), (pg_temp.m('a2'), '[0,4]'),
               (pg_temp.m('a3'), '[1,1]'), (pg_temp.m('b1'), '[0,-2]')) AS v (id, embedding) ON v.id = t.id;
SELECT pg_temp.save('nodes', pg_temp.nodes());
SELECT throws_ok($$SELECT vestige.reembed_apply(p_model_hash => repeat('c', 64))$$,
                 'VS003', NULL, 'reembed_apply with a hash that is not the pending model should raise VS003');
SELECT throws_ok($$SELECT vestige.reembed_apply(p_model_hash => repeat('a', 64))$$,
                 'VS003', NULL, 'reembed_apply with the active (not pending) model hash should raise VS003');
SELECT throws_ok($$SELECT vestige.reembed_apply(p_model_hash => NULL)$$,
                 'VS003', NULL, 'reembed_apply without a hash should raise VS003');
SELECT is(pg_temp.nodes(), pg_temp.saved('nodes'), 'the refused reembed_apply with a wrong hash should leave the memories unchanged');
INSERT INTO vestige.reembed_vectors VALUES ('0000000f-0000-0000-0000-000000000001', md5('x'), '[1,0,0]');
SELECT throws_ok($$SELECT vestige.reembed_apply(p_model_hash => repeat('b', 64))$$,
                 'VS004', NULL, 'reembed_apply with a staged 3-d vector for the 2-d model should raise VS004');
SELECT is(pg_temp.nodes(), pg_temp.saved('nodes'), 'the refused reembed_apply with a wrong dimension should leave the memories unchanged');
DELETE FROM vestige.reembed_vectors WHERE id = '0000000f-0000-0000-0000-000000000001';
INSERT INTO vestige.reembed_vectors VALUES ('0000000f-0000-0000-0000-000000000001', md5('x'), '[0,0]');
SELECT throws_ok($$SELECT vestige.reembed_apply(p_model_hash => repeat('b', 64))$$,
                 'VS007', NULL, 'reembed_apply with a staged zero vector should raise VS007');
SELECT is(pg_temp.nodes(), pg_temp.saved('nodes'), 'the refused reembed_apply with a zero vector should leave the memories unchanged');
DELETE FROM vestige.reembed_vectors WHERE id = '0000000f-0000-0000-0000-000000000001';
SELECT is((SELECT count(*) FROM vestige.reembed_vectors), 4::bigint, 'the refused reembed_apply calls should leave the staged batch in place');

-- a3 is edited after it was read for embedding: its staged vector is for the old text.
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT vestige.update_memory(p_id => pg_temp.m('a3'), p_content => 'gamma three, edited');
SELECT vestige_test.act_as(NULL);
SELECT is(vestige.reembed_apply(p_model_hash => repeat('b', 64)), 3,
          'reembed_apply should write the 3 vectors whose memory content still has the staged md5');
SELECT is((SELECT count(*) FROM vestige.reembed_vectors), 0::bigint, 'reembed_apply should empty the staging table');
SELECT is(pg_temp.vec(pg_temp.m('a1'), 'embedding_pending'), '[2,0]'::public.vector, 'reembed_apply should store the staged vector of a1');
SELECT is(pg_temp.vec(pg_temp.m('b1'), 'embedding_pending'), '[0,-2]'::public.vector, 'reembed_apply should store the staged vector of bob''s b1');
SELECT is(pg_temp.vec(pg_temp.m('a3'), 'embedding_pending'), NULL::public.vector,
          'reembed_apply should skip a3, whose content changed since it was read (md5 mismatch)');
SELECT is(pg_temp.vec(pg_temp.m('a1'), 'embedding'), '[1,0,0]'::public.vector, 'reembed_apply should leave the active vector alone');
SELECT results_eq(
    $$SELECT id, content, content_md5 FROM vestige.reembed_todo(p_after => NULL, p_limit => 10)$$,
    $$VALUES (pg_temp.m('a3'), 'gamma three, edited'::text, md5('gamma three, edited'))$$,
    'reembed_todo should now return only the edited a3, with the md5 of its new content');

-- reembed_switch refusals: a missing vector, then a missing index, then an invalid one, then a wrong hash.
SELECT pg_temp.save('registry', pg_temp.registry());
SELECT throws_ok($$SELECT * FROM vestige.reembed_switch(p_model_hash => repeat('b', 64))$$,
                 'VS014', NULL, 'reembed_switch while a memory lacks a new vector should raise VS014');
INSERT INTO vestige.reembed_vectors VALUES (pg_temp.m('a3'), md5('gamma three, edited'), '[1,1]');
SELECT is(vestige.reembed_apply(p_model_hash => repeat('b', 64)), 1, 'reembed_apply should write the catch-up vector of a3');
SELECT throws_ok($$SELECT * FROM vestige.reembed_switch(p_model_hash => repeat('b', 64))$$,
                 'VS014', NULL, 'reembed_switch without the pending HNSW index should raise VS014');
CREATE INDEX knowledge_nodes_embedding_pending_idx ON vestige.knowledge_nodes
    USING hnsw (embedding_pending public.vector_cosine_ops) WITH (m = 16, ef_construction = 64);
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'vestige.knowledge_nodes_embedding_pending_idx'::regclass;
SELECT is((SELECT pending_index FROM vestige.reembed_status()), 'invalid', 'reembed_status should report the invalid pending index');
SELECT throws_ok($$SELECT * FROM vestige.reembed_switch(p_model_hash => repeat('b', 64))$$,
                 'VS014', NULL, 'reembed_switch with an invalid pending HNSW index should raise VS014');
UPDATE pg_index SET indisvalid = true WHERE indexrelid = 'vestige.knowledge_nodes_embedding_pending_idx'::regclass;
SELECT throws_ok($$SELECT * FROM vestige.reembed_switch(p_model_hash => repeat('c', 64))$$,
                 'VS003', NULL, 'reembed_switch with a hash that is not the pending model should raise VS003');
SELECT throws_ok($$SELECT * FROM vestige.reembed_switch(p_model_hash => repeat('a', 64))$$,
                 'VS003', NULL, 'reembed_switch with the active model hash should raise VS003');
SELECT is(pg_temp.registry(), pg_temp.saved('registry') || ';knowledge_nodes_embedding_pending_idx true',
          'the refused reembed_switch calls should leave the registry and the columns unchanged');
SELECT results_eq(
    $$SELECT pending_missing, pending_index FROM vestige.reembed_status()$$,
    $$VALUES (0::bigint, 'valid'::text)$$,
    'reembed_status should report no memory missing a new vector and a valid pending index');

-- A vector search before the switch (so its plans are cached in this session).
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT results_eq(
    $$SELECT id FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => repeat('a', 64))$$,
    $$VALUES (pg_temp.m('a1')), (pg_temp.m('a2'))$$,
    'before the switch, search_vector with the old model should rank alice''s a1 then a2');
RESET ROLE;

-- ---------------------------------------------------------------------------------------------
-- reembed_lock: the model lock exclusively and the memories in SHARE mode, to the end of the transaction.
SELECT lives_ok($$SELECT vestige.reembed_lock()$$, 'reembed_lock should take its locks');
SELECT ok(EXISTS (SELECT FROM pg_locks AS l
                   WHERE l.pid = pg_backend_pid() AND l.locktype = 'advisory' AND l.mode = 'ExclusiveLock' AND l.granted),
          'reembed_lock should hold an advisory lock (the model lock) exclusively');
SELECT ok(EXISTS (SELECT FROM pg_locks AS l
                   WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.relation = 'vestige.knowledge_nodes'::regclass
                     AND l.mode = 'ShareLock' AND l.granted),
          'reembed_lock should hold vestige.knowledge_nodes in SHARE mode');

-- ---------------------------------------------------------------------------------------------
-- reembed_switch: the pending model becomes active.
SET LOCAL lock_timeout = '1s';
SELECT results_eq(
    $$SELECT name, dimension, hash, generation, pending_name, previous_name, previous_dimension, previous_hash
        FROM vestige.reembed_switch(p_model_hash => repeat('b', 64))$$,
    $$VALUES ('test-model-2'::text, 2, repeat('b', 64), 2::bigint, NULL::text, 'test-model'::text, 3, repeat('a', 64))$$,
    'reembed_switch should return the registry: test-model-2 active at generation 2, test-model previous');
SELECT results_eq(
    $$SELECT slot, name, generation FROM vestige.embedding_model ORDER BY slot$$,
    $$VALUES ('active'::text, 'test-model-2'::text, 2::bigint), ('previous', 'test-model', 1)$$,
    'after the switch the registry should hold the active and the previous model');
SELECT is(pg_temp.coltype('vestige.knowledge_nodes', 'embedding'), 'vector(2)', 'after the switch embedding should be vector(2)');
SELECT is(pg_temp.coltype('vestige.knowledge_nodes', 'embedding_previous'), 'vector(3)', 'after the switch embedding_previous should be vector(3)');
SELECT hasnt_column('vestige', 'knowledge_nodes', 'embedding_pending', 'after the switch there should be no embedding_pending column');
SELECT is(pg_temp.coltype('vestige.domains', 'centroid'), 'vector(2)', 'after the switch domains.centroid should be vector(2)');
SELECT is(pg_temp.coltype('vestige.domains', 'centroid_previous'), 'vector(3)', 'after the switch domains.centroid_previous should be vector(3)');
SELECT hasnt_column('vestige', 'domains', 'centroid_pending', 'after the switch there should be no domains.centroid_pending column');
SELECT matches(pg_get_indexdef('vestige.knowledge_nodes_embedding_idx'::regclass), 'USING hnsw \(embedding (public\.)?vector_cosine_ops\)',
               'after the switch knowledge_nodes_embedding_idx should be the HNSW index of the embedding column');
SELECT matches(pg_get_indexdef('vestige.knowledge_nodes_embedding_previous_idx'::regclass), 'USING hnsw \(embedding_previous (public\.)?vector_cosine_ops\)',
               'after the switch knowledge_nodes_embedding_previous_idx should index embedding_previous');
SELECT hasnt_index('vestige', 'knowledge_nodes', 'knowledge_nodes_embedding_pending_idx',
                   'after the switch there should be no index named knowledge_nodes_embedding_pending_idx');
SELECT is(pg_temp.vec(pg_temp.m('a1'), 'embedding'), '[2,0]'::public.vector, 'after the switch a1''s embedding should be its new vector');
SELECT is(pg_temp.vec(pg_temp.m('a1'), 'embedding_previous'), '[1,0,0]'::public.vector, 'after the switch a1''s embedding_previous should be its old vector');
-- Centroids: the normalised mean of the members' new vectors (d1: [2,0] and [0,4] -> along [1,2]).
SELECT ok(pg_temp.unit_along(pg_temp.centroid('d1', 'centroid'), '[1,2]'),
          'after the switch d1''s centroid should be the normalised mean of a1 and a2''s new vectors (along [1,2], norm 1)');
SELECT ok(pg_temp.unit_along(pg_temp.centroid('d2', 'centroid'), '[0,-1]'),
          'after the switch d2''s centroid should be bob''s b1 new vector normalised ([0,-1])');
SELECT is(pg_temp.centroid('d3', 'centroid'), NULL::public.vector,
          'after the switch d3, which has no member, should have no centroid in the new space');
SELECT is(pg_temp.centroid('d1', 'centroid_previous'), '[1,0,0]'::public.vector,
          'after the switch d1''s old centroid should be kept in centroid_previous');

-- The API after the switch: the new model serves, the old hash is refused.
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT results_eq(
    $$SELECT name, dimension, hash, generation, pending_name, previous_name, previous_dimension, previous_hash
        FROM vestige.registered_model()$$,
    $$VALUES ('test-model-2'::text, 2, repeat('b', 64), 2::bigint, NULL::text, 'test-model'::text, 3, repeat('a', 64))$$,
    'registered_model should show test-model-2 active at generation 2 and test-model as the previous model');
SELECT results_eq(
    $$SELECT id FROM vestige.search_vector(p_embedding => '[1,0]', p_model_hash => repeat('b', 64))$$,
    $$VALUES (pg_temp.m('a1')), (pg_temp.m('a3')), (pg_temp.m('a2'))$$,
    'search_vector with a 2-d vector and the new hash should rank alice''s memories by their new vectors (a1, a3, a2)');
SELECT results_eq(
    $$SELECT id FROM vestige.search_hybrid(p_query => NULL, p_embedding => '[1,0]', p_model_hash => repeat('b', 64))$$,
    $$VALUES (pg_temp.m('a1')), (pg_temp.m('a3')), (pg_temp.m('a2'))$$,
    'search_hybrid with a 2-d vector and the new hash should return alice''s memories ranked by their new vectors');
SELECT throws_ok($$SELECT * FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => repeat('a', 64))$$,
                 'VS003', NULL, 'search_vector with the old model hash after the switch should raise VS003');
SELECT throws_ok($$SELECT * FROM vestige.search_hybrid(p_query => 'alpha', p_embedding => '[1,0,0]', p_model_hash => repeat('a', 64))$$,
                 'VS003', NULL, 'search_hybrid with the old model hash after the switch should raise VS003');
SELECT throws_ok($$SELECT * FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => repeat('b', 64))$$,
                 'VS004', NULL, 'search_vector with a 3-d vector and the new hash should raise VS004');
SELECT throws_ok($$SELECT vestige.insert_memory(p_content => 'old model write', p_embedding => '[1,0,0]', p_model_hash => repeat('a', 64))$$,
                 'VS003', NULL, 'insert_memory with the old model hash after the switch should raise VS003');
SELECT lives_ok($$SELECT vestige.insert_memory(p_content => 'epsilon five', p_embedding => '[1,1]', p_model_hash => repeat('b', 64),
                                               p_id => pg_temp.m('a4'))$$,
                'insert_memory with a 2-d vector and the new hash should store a4 after the switch');
SELECT results_eq(
    $$SELECT active_name, active_dimension, generation, pending_name, rolling_back IS TRUE, previous_name, previous_dimension,
             memories, active_missing, pending_missing, previous_missing, active_index, pending_index, previous_index
        FROM vestige.reembed_status()$$,
    $$VALUES ('test-model-2'::text, 2, 2::bigint, NULL::text, false, 'test-model'::text, 3,
              5::bigint, 0::bigint, NULL::bigint, 2::bigint, 'valid'::text, 'missing'::text, 'valid'::text)$$,
    'after the switch reembed_status should report test-model-2 active, test-model previous, and a3 (edited) and a4 (new) without an old vector');
RESET ROLE;

-- While the previous model is kept, no new switch; the operator steps without a pending model refuse.
SELECT pg_temp.save('registry', pg_temp.registry());
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => 'test-model-3', p_dimension => 4, p_hash => repeat('c', 64))$$,
                 'VS014', NULL, 'reembed_prepare of a third model while the previous one is kept should raise VS014');
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => 'test-model', p_dimension => 3, p_hash => repeat('a', 64))$$,
                 'VS014', NULL, 'reembed_prepare of the previous model itself should raise VS014 (that is a rollback)');
SELECT is(vestige.reembed_prepare(p_name => 'test-model-2', p_dimension => 2, p_hash => repeat('b', 64)), 'current',
          'reembed_prepare of the new active model should return current');
SELECT results_eq(
    $$SELECT id FROM vestige.reembed_todo(p_after => pg_temp.m('a1'), p_limit => 3)$$,
    $$VALUES (pg_temp.m('a2')), (pg_temp.m('a3')), (pg_temp.m('a4'))$$,
    'reembed_todo with no switch in progress should page through every memory, vectors or not (what a dry run samples)');
SELECT throws_ok($$SELECT vestige.reembed_apply(p_model_hash => repeat('b', 64))$$,
                 'VS014', NULL, 'reembed_apply with no switch in progress should raise VS014');
SELECT throws_ok($$SELECT * FROM vestige.reembed_switch(p_model_hash => repeat('b', 64))$$,
                 'VS014', NULL, 'reembed_switch with no switch in progress should raise VS014');
SELECT is(pg_temp.registry(), pg_temp.saved('registry'), 'the refused calls after the switch should change nothing');

-- ---------------------------------------------------------------------------------------------
-- reembed_rollback after the switch: the previous model goes back to the pending slot.
SELECT is(vestige.reembed_rollback(), 'rolling_back', 'reembed_rollback after a switch should return rolling_back');
SELECT results_eq(
    $$SELECT slot, name, generation FROM vestige.embedding_model ORDER BY slot$$,
    $$VALUES ('active'::text, 'test-model-2'::text, 2::bigint), ('pending', 'test-model', 1)$$,
    'reembed_rollback should move the previous model to the pending slot, keeping its older generation');
SELECT is(pg_temp.coltype('vestige.knowledge_nodes', 'embedding_pending'), 'vector(3)', 'after rollback embedding_pending should be the old vector(3) column');
SELECT hasnt_column('vestige', 'knowledge_nodes', 'embedding_previous', 'after rollback there should be no embedding_previous column');
SELECT is(pg_temp.coltype('vestige.domains', 'centroid_pending'), 'vector(3)', 'after rollback domains.centroid_pending should be vector(3)');
SELECT is(pg_temp.vec(pg_temp.m('a1'), 'embedding_pending'), '[1,0,0]'::public.vector, 'after rollback a1 should keep its old vector as the pending one');
SET LOCAL ROLE vestige_app;
SELECT results_eq(
    $$SELECT active_name, generation, pending_name, pending_dimension, pending_hash, rolling_back, previous_name,
             pending_missing, pending_index, previous_index
        FROM vestige.reembed_status()$$,
    $$VALUES ('test-model-2'::text, 2::bigint, 'test-model'::text, 3, repeat('a', 64), true, NULL::text,
              2::bigint, 'valid'::text, 'missing'::text)$$,
    'reembed_status should report the rollback: test-model pending with rolling_back, 2 memories to catch up, its index valid');
RESET ROLE;
SELECT pg_temp.save('registry', pg_temp.registry());
SELECT is(vestige.reembed_rollback(), 'rolling_back', 'an interrupted rollback run again should return rolling_back');
SELECT is(pg_temp.registry(), pg_temp.saved('registry'), 'the second reembed_rollback should change nothing');
SELECT is(pg_temp.vec(pg_temp.m('a1'), 'embedding_pending'), '[1,0,0]'::public.vector, 'the second reembed_rollback should keep the old vectors');
SELECT throws_ok($$SELECT vestige.reembed_cleanup()$$,
                 'VS014', NULL, 'reembed_cleanup during a rollback (a pending model) should raise VS014');
SELECT throws_ok($$SELECT vestige.reembed_prepare(p_name => 'test-model-3', p_dimension => 4, p_hash => repeat('c', 64))$$,
                 'VS014', NULL, 'reembed_prepare of a third model during a rollback should raise VS014');
SELECT is(vestige.reembed_prepare(p_name => 'test-model', p_dimension => 3, p_hash => repeat('a', 64)), 'pending',
          'reembed_prepare of the model being rolled back to should return pending (resume)');
SELECT is(pg_temp.registry(), pg_temp.saved('registry'), 'the refused and resumed calls during the rollback should change nothing');
SELECT throws_ok($$SELECT * FROM vestige.reembed_switch(p_model_hash => repeat('a', 64))$$,
                 'VS014', NULL, 'reembed_switch back before the catch-up should raise VS014 (a3 and a4 lack an old vector)');

-- The catch-up with the old model, then the switch back.
SELECT results_eq(
    $$SELECT id, content_md5 FROM vestige.reembed_todo(p_after => NULL, p_limit => 10)$$,
    $$VALUES (pg_temp.m('a3'), md5('gamma three, edited')), (pg_temp.m('a4'), md5('epsilon five'))$$,
    'reembed_todo during the rollback should return a3 (edited) and a4 (written since the switch)');
INSERT INTO vestige.reembed_vectors (id, content_md5, embedding)
SELECT t.id, t.content_md5, v.embedding
  FROM vestige.reembed_todo(p_after => NULL, p_limit => 10) AS t
  JOIN (VALUES (pg_temp.m('a3'), '[-1,1,0]'::public.vector), (pg_temp.m('a4'), '[1,1,0]')) AS v (id, embedding) ON v.id = t.id;
SELECT throws_ok($$SELECT vestige.reembed_apply(p_model_hash => repeat('b', 64))$$,
                 'VS003', NULL, 'reembed_apply during the rollback with the active (not pending) hash should raise VS003');
SELECT is(vestige.reembed_apply(p_model_hash => repeat('a', 64)), 2, 'reembed_apply should write the 2 old-model vectors of the catch-up');
SET LOCAL ROLE vestige_owner;
SELECT results_eq(
    $$SELECT name, dimension, hash, generation, pending_name, previous_name, previous_dimension, previous_hash
        FROM vestige.reembed_switch(p_model_hash => repeat('a', 64))$$,
    $$VALUES ('test-model'::text, 3, repeat('a', 64), 3::bigint, NULL::text, 'test-model-2'::text, 2, repeat('b', 64))$$,
    'reembed_switch back, run by vestige_owner, should make test-model active again at generation 3 with test-model-2 previous');
RESET ROLE;
SELECT is(pg_temp.coltype('vestige.knowledge_nodes', 'embedding'), 'vector(3)', 'after the switch back embedding should be vector(3)');
SELECT is(pg_temp.coltype('vestige.knowledge_nodes', 'embedding_previous'), 'vector(2)', 'after the switch back embedding_previous should be vector(2)');
SELECT is(pg_temp.vec(pg_temp.m('a1'), 'embedding'), '[1,0,0]'::public.vector, 'after the switch back a1''s embedding should be its old vector');
SELECT ok(pg_temp.unit_along(pg_temp.centroid('d1', 'centroid'), '[1,1,0]'),
          'after the switch back d1''s centroid should be the normalised mean of a1 and a2''s old vectors (along [1,1,0])');
SELECT ok(pg_temp.unit_along(pg_temp.centroid('d1', 'centroid_previous'), '[1,2]'),
          'after the switch back d1''s 2-d centroid should be kept in centroid_previous');
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT results_eq(
    $$SELECT active_name, generation, pending_name, rolling_back IS TRUE, previous_name, active_missing, previous_missing
        FROM vestige.reembed_status()$$,
    $$VALUES ('test-model'::text, 3::bigint, NULL::text, false, 'test-model-2'::text, 0::bigint, 0::bigint)$$,
    'after the switch back reembed_status should report test-model active at generation 3, no rollback running, test-model-2 previous');
SELECT results_eq(
    $$SELECT id FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => repeat('a', 64))$$,
    $$VALUES (pg_temp.m('a1')), (pg_temp.m('a4')), (pg_temp.m('a2')), (pg_temp.m('a3'))$$,
    'after the switch back search_vector with the old model should rank by the old vectors (a1, a4, a2, a3)');
SELECT throws_ok($$SELECT * FROM vestige.search_vector(p_embedding => '[1,0]', p_model_hash => repeat('b', 64))$$,
                 'VS003', NULL, 'after the switch back search_vector with test-model-2''s hash should raise VS003');
RESET ROLE;

-- ---------------------------------------------------------------------------------------------
-- reembed_cleanup: the rollback window ends.
SET LOCAL ROLE vestige_owner;
SELECT is(vestige.reembed_cleanup(), true, 'reembed_cleanup run by vestige_owner with a previous model should return true');
RESET ROLE;
SELECT hasnt_column('vestige', 'knowledge_nodes', 'embedding_previous', 'reembed_cleanup should drop knowledge_nodes.embedding_previous');
SELECT hasnt_column('vestige', 'domains', 'centroid_previous', 'reembed_cleanup should drop domains.centroid_previous');
SELECT hasnt_index('vestige', 'knowledge_nodes', 'knowledge_nodes_embedding_previous_idx', 'reembed_cleanup should drop the previous HNSW index');
SELECT results_eq(
    $$SELECT slot, name, dimension, generation FROM vestige.embedding_model$$,
    $$VALUES ('active'::text, 'test-model'::text, 3, 3::bigint)$$,
    'reembed_cleanup should delete the previous registry row and keep the active one');
SELECT has_index('vestige', 'knowledge_nodes', 'knowledge_nodes_embedding_idx', 'reembed_cleanup should keep the active index');
SELECT is(vestige.reembed_cleanup(), false, 'reembed_cleanup with nothing to clean should return false');
SELECT throws_ok($$SELECT vestige.reembed_rollback()$$,
                 'VS014', NULL, 'reembed_rollback after cleanup should raise VS014 (nothing to roll back)');
SELECT results_eq(
    $$SELECT previous_name, previous_missing, previous_index FROM vestige.reembed_status()$$,
    $$VALUES (NULL::text, NULL::bigint, 'missing'::text)$$,
    'after cleanup reembed_status should report no previous model');

-- ---------------------------------------------------------------------------------------------
-- An --offline switch abandoned: the active index is dropped at prepare and rebuilt at rollback.
SELECT is(vestige.reembed_prepare(p_name => 'test-model-3', p_dimension => 4, p_hash => repeat('c', 64), p_offline => true), 'prepared',
          'reembed_prepare with p_offline should return prepared');
SELECT hasnt_index('vestige', 'knowledge_nodes', 'knowledge_nodes_embedding_idx', 'reembed_prepare with p_offline should drop the active HNSW index');
SELECT results_eq(
    $$SELECT active_index, pending_name, pending_dimension, rolling_back FROM vestige.reembed_status()$$,
    $$VALUES ('missing'::text, 'test-model-3'::text, 4, false)$$,
    'reembed_status should report the missing active index and the pending 4-d model');
SELECT is((SELECT generation FROM vestige.embedding_model WHERE slot = 'pending'), 4::bigint,
          'the pending model should get the generation after the active one (3 + 1)');
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT is((SELECT id FROM vestige.search_vector(p_embedding => '[1,0,0]', p_model_hash => repeat('a', 64)) LIMIT 1), pg_temp.m('a1'),
          'without the active index search_vector should still find the nearest memory (exact scan)');
RESET ROLE;
INSERT INTO vestige.reembed_vectors VALUES (pg_temp.m('a1'), md5('alpha one'), '[1,0,0,0]');
SELECT is(vestige.reembed_apply(p_model_hash => repeat('c', 64)), 1, 'fixture: reembed_apply should write one 4-d vector');
CREATE INDEX knowledge_nodes_embedding_pending_idx ON vestige.knowledge_nodes USING hnsw (embedding_pending public.vector_cosine_ops);
SELECT is(vestige.reembed_rollback(), 'abandoned', 'reembed_rollback with a forward switch in progress should return abandoned');
SELECT hasnt_column('vestige', 'knowledge_nodes', 'embedding_pending', 'the abandoned switch should drop knowledge_nodes.embedding_pending');
SELECT hasnt_column('vestige', 'domains', 'centroid_pending', 'the abandoned switch should drop domains.centroid_pending');
SELECT hasnt_index('vestige', 'knowledge_nodes', 'knowledge_nodes_embedding_pending_idx', 'the abandoned switch should drop the pending index');
SELECT results_eq(
    $$SELECT slot, name, generation FROM vestige.embedding_model$$,
    $$VALUES ('active'::text, 'test-model'::text, 3::bigint)$$,
    'the abandoned switch should delete the pending registry row and keep the active model and generation');
SELECT has_index('vestige', 'knowledge_nodes', 'knowledge_nodes_embedding_idx',
                 'the abandoned --offline switch should rebuild the active HNSW index');
SELECT matches(pg_get_indexdef('vestige.knowledge_nodes_embedding_idx'::regclass), 'USING hnsw \(embedding (public\.)?vector_cosine_ops\)',
               'the rebuilt index should be HNSW with cosine operators on embedding');
SELECT set_eq(
    $$SELECT unnest(c.reloptions) FROM pg_class AS c WHERE c.oid = 'vestige.knowledge_nodes_embedding_idx'::regclass$$,
    $$VALUES ('m=16'), ('ef_construction=64')$$,
    'the rebuilt index should use m = 16 and ef_construction = 64, as register_model does');
SELECT is(pg_temp.vec(pg_temp.m('a1'), 'embedding'), '[1,0,0]'::public.vector, 'the abandoned switch should leave the active vectors alone');

-- A switch abandoned without --offline keeps the active index as it is.
SELECT pg_temp.save('active_index', 'vestige.knowledge_nodes_embedding_idx'::regclass::oid::text);
SELECT pg_temp.save('registry', pg_temp.registry());
SELECT is(vestige.reembed_prepare(p_name => 'test-model-3', p_dimension => 4, p_hash => repeat('c', 64)), 'prepared',
          'reembed_prepare without p_offline should return prepared');
SELECT is(vestige.reembed_rollback(), 'abandoned', 'reembed_rollback of that switch should return abandoned');
SELECT is('vestige.knowledge_nodes_embedding_idx'::regclass::oid::text, pg_temp.saved('active_index'),
          'abandoning a switch prepared without p_offline should keep the same active index (not rebuild it)');
SELECT is(pg_temp.registry(), pg_temp.saved('registry'), 'prepare then abandon should leave the registry, columns and indexes as before');

SELECT * FROM finish();
ROLLBACK;
