-- pgTAP: vestige.get_memory — one visible memory with its read-time retention; invisible and
-- missing ids both raise VS008; the vector itself is never returned.
BEGIN;
SELECT plan(24);

-- Fixtures (superuser). A owns a private (with a vector), a group (G) and a public memory;
-- B is in G; C is a stranger with a private memory of their own.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
-- The SQLSTATE and hint of the error a statement raises (NULL when it raises nothing).
CREATE FUNCTION pg_temp.error_of(p_sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_state text;
    v_hint  text;
BEGIN
    EXECUTE p_sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_hint = PG_EXCEPTION_HINT;
    RETURN v_state || ': ' || v_hint;
END
$$;

SELECT vestige_test.register_model();
INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'private', vestige_test.memory(pg_temp.m('a'), 'a private note', p_embedding => '[1,0,0]', p_tags => '{x,y}', p_node_type => 'note', p_codebase => 'vestige');
INSERT INTO ids SELECT 'group',   vestige_test.memory(pg_temp.m('a'), 'a group note', 'group', ARRAY[pg_temp.m('g')]);
INSERT INTO ids SELECT 'public',  vestige_test.memory(pg_temp.m('a'), 'a public note', 'public');
INSERT INTO ids SELECT 'c_private', vestige_test.memory(pg_temp.m('c'), 'c private note');
-- An older memory, last accessed 30 days ago, to see the read-time decay.
INSERT INTO ids SELECT 'old', vestige_test.memory(pg_temp.m('a'), 'an old note');
UPDATE vestige.knowledge_nodes SET last_accessed = now() - interval '30 days' WHERE id = pg_temp.m('old');

SET LOCAL ROLE vestige_app;

-- The owner sees every column.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT results_eq(
    $$SELECT id, content, node_type, tags, source, metadata, domains, domain_scores, codebase, valid_from, valid_until,
             owner_user_id, visibility, shared_with_groups
        FROM vestige.get_memory(pg_temp.m('private'))$$,
    $$VALUES (pg_temp.m('private'), 'a private note'::text, 'note'::text, '{x,y}'::text[], NULL::text, '{}'::jsonb, '{}'::text[],
              '{}'::jsonb, 'vestige'::text, NULL::timestamptz, NULL::timestamptz, pg_temp.m('a'), 'private'::text, '{}'::uuid[])$$,
    'the owner should get the content, type, tags, provenance, owner and visibility of their private memory');
SELECT results_eq(
    $$SELECT storage_strength, retrieval_strength, retention_strength, access_count, last_accessed, protected, superseded_by,
             created_at, updated_at, has_embedding
        FROM vestige.get_memory(pg_temp.m('private'))$$,
    $$VALUES (1::float8, 1::float8, 1::float8, 0, now(), false, NULL::uuid, now(), now(), true)$$,
    'the owner should get the strengths, counters, flags, timestamps and has_embedding true');
SELECT is((SELECT count(*)::int FROM vestige.get_memory(pg_temp.m('private'))), 1, 'get_memory should return exactly one row');
SELECT ok((SELECT retention BETWEEN 0 AND 1 FROM vestige.get_memory(pg_temp.m('private'))), 'the retention should be in [0, 1]');
SELECT is((SELECT round(retention::numeric, 6) FROM vestige.get_memory(pg_temp.m('private'))), 0.730000,
          'a memory accessed just now should have retention 0.7 x 1 + 0.3 x min(1/10, 1) = 0.73');
SELECT ok((SELECT retention < 0.73 AND retention > 0.03 FROM vestige.get_memory(pg_temp.m('old'))),
          'a memory last accessed 30 days ago should have decayed below 0.73 at read time');
SELECT is((SELECT has_embedding FROM vestige.get_memory(pg_temp.m('group'))), false, 'has_embedding should be false for a memory without a vector');
SELECT is(
    (SELECT count(*)::int FROM pg_proc AS p, unnest(p.proallargtypes) AS t
      WHERE p.oid = 'vestige.get_memory(uuid)'::regprocedure AND t = 'public.vector'::regtype),
    0, 'get_memory should never return the vector itself');
SELECT is((SELECT content FROM vestige.get_memory(pg_temp.m('group'))), 'a group note', 'the owner should see their group memory');
SELECT is((SELECT content FROM vestige.get_memory(pg_temp.m('public'))), 'a public note', 'the owner should see their public memory');
SELECT throws_ok(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('c_private')), 'VS008', NULL,
                 'another user''s private memory should raise VS008');

-- Missing ids.
SELECT throws_ok($$SELECT * FROM vestige.get_memory(gen_random_uuid())$$, 'VS008', NULL, 'a missing id should raise VS008');
SELECT throws_ok($$SELECT * FROM vestige.get_memory(NULL)$$, 'VS008', NULL, 'a NULL id should raise VS008');

-- A group member.
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT throws_ok(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('private')), 'VS008', NULL,
                 'a group member should get VS008 for the owner''s private memory');
SELECT results_eq(
    $$SELECT content, owner_user_id FROM vestige.get_memory(pg_temp.m('group'))$$,
    $$VALUES ('a group note'::text, pg_temp.m('a'))$$,
    'a group member should see the group memory, with its real owner');
SELECT is((SELECT content FROM vestige.get_memory(pg_temp.m('public'))), 'a public note', 'a group member should see the public memory');

-- A stranger.
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT throws_ok(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('private')), 'VS008', NULL,
                 'a stranger should get VS008 for a private memory');
SELECT throws_ok(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('group')), 'VS008', NULL,
                 'a stranger should get VS008 for a group memory not shared with them');
SELECT is((SELECT content FROM vestige.get_memory(pg_temp.m('public'))), 'a public note', 'a stranger should see the public memory');
SELECT is(pg_temp.error_of(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('group'))),
          pg_temp.error_of(format('SELECT * FROM vestige.get_memory(%L)', gen_random_uuid())),
          'an invisible memory should get the same SQLSTATE and hint as a missing one');

-- Identity.
SELECT vestige_test.act_as(NULL);
SELECT throws_ok(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('public')), 'VS001', NULL,
                 'get_memory without identity should raise VS001, even for a public memory');
SELECT set_config('vestige.user_id', gen_random_uuid()::text, true);
SELECT throws_ok(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('public')), 'VS011', NULL,
                 'get_memory for an identity naming no user should raise VS011');

-- Reading is not an access (the testing effect is touch_memories).
RESET ROLE;
SELECT results_eq(
    $$SELECT access_count, last_accessed, retrieval_strength FROM vestige.knowledge_nodes WHERE id = pg_temp.m('public')$$,
    $$VALUES (0, now(), 1::float8)$$,
    'get_memory should not count as an access or strengthen the memory');
SELECT ok(has_function_privilege('vestige_app', 'vestige.get_memory(uuid)', 'EXECUTE'), 'vestige_app should be allowed to execute get_memory');

SELECT * FROM finish();
ROLLBACK;
