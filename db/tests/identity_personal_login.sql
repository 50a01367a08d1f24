-- pgTAP: identity is bound to the login (the attacker's view). A personal login (bound to user a
-- with vestige.bind_login) cannot act as anyone else, and cannot read, change, share, review,
-- link to or learn the existence of b's private memory through any API function or direct SQL;
-- it cannot call operator functions, bind itself, or join a group. An unbound login that is not
-- a service login has no identity at all; SET ROLE changes none of this; a service login (and
-- the superuser running this test) names the caller.
BEGIN;
SELECT plan(69);

-- Fixtures (superuser). Logins: alice (personal, bound to a), stranger (vestige_app only,
-- unbound), server (vestige_service), server2 (vestige_service but bound to c: bound wins).
CREATE ROLE tap_alice LOGIN IN ROLE vestige_app;
CREATE ROLE tap_stranger LOGIN IN ROLE vestige_app;
CREATE ROLE tap_server LOGIN IN ROLE vestige_service;
CREATE ROLE tap_server2 LOGIN IN ROLE vestige_service;

CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO PUBLIC;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
-- The error a statement raises: SQLSTATE and message, with every fixture id named by its key
-- or its first 8 characters (so "memory <b_private> not found" equals "memory <missing> not found").
CREATE FUNCTION pg_temp.error_of(p_sql text, p_masked text[] DEFAULT '{}') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_text text;
    v_name text;
BEGIN
    EXECUTE p_sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    v_text := SQLSTATE || ': ' || SQLERRM;
    FOREACH v_name IN ARRAY p_masked LOOP
        v_text := replace(replace(v_text, pg_temp.m(v_name)::text, '<id>'), left(pg_temp.m(v_name)::text, 8), '<id>');
    END LOOP;
    RETURN v_text;
END
$$;
-- A digest of b's memories, their scheduling, edges and reviews, the groups, users and keys: what
-- alice tries must leave it as it was.
CREATE FUNCTION pg_temp.digest() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    WITH b AS (SELECT n.* FROM vestige.knowledge_nodes AS n WHERE n.owner_user_id = pg_temp.m('b'))
    SELECT md5(concat_ws('|',
        (SELECT string_agg(n::text, ',' ORDER BY n.id) FROM b AS n),
        (SELECT string_agg(s::text, ',' ORDER BY s.memory_id) FROM vestige.scheduling AS s JOIN b ON b.id = s.memory_id),
        (SELECT string_agg(e::text, ',' ORDER BY e.source_id, e.target_id, e.edge_type) FROM vestige.edges AS e
          WHERE e.source_id IN (SELECT id FROM b) OR e.target_id IN (SELECT id FROM b)),
        (SELECT string_agg(r::text, ',' ORDER BY r.id) FROM vestige.review_events AS r JOIN b ON b.id = r.memory_id),
        (SELECT string_agg(g::text, ',' ORDER BY g.group_id, g.user_id) FROM vestige.group_memberships AS g),
        (SELECT string_agg(u::text, ',' ORDER BY u.id) FROM vestige.users AS u),
        (SELECT string_agg(k::text, ',' ORDER BY k.id) FROM vestige.api_keys AS k)))
$$;
CREATE FUNCTION pg_temp.login_as(p_role text) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('SET LOCAL SESSION AUTHORIZATION %I', p_role); END $$;

SELECT vestige_test.register_model();
INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c')),
                       ('missing', '99999999-9999-4999-8999-999999999999');
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('b'), ARRAY[pg_temp.m('c')]);
INSERT INTO ids SELECT 'b_private', vestige_test.memory(pg_temp.m('b'), 'b private secret plan', p_embedding => '[1,0,0]');
INSERT INTO ids SELECT 'b_group', vestige_test.memory(pg_temp.m('b'), 'b group plan', 'group', ARRAY[pg_temp.m('g')]);
INSERT INTO ids SELECT 'b_public', vestige_test.memory(pg_temp.m('b'), 'b public plan', 'public');
INSERT INTO ids SELECT 'a_private', vestige_test.memory(pg_temp.m('a'), 'a private note', p_embedding => '[0,1,0]');
SELECT vestige.bind_login(pg_temp.m('a'), 'tap_alice');
SELECT vestige.bind_login(pg_temp.m('c'), 'tap_server2');
INSERT INTO ids SELECT 'b_key', k.id FROM vestige.create_api_key(pg_temp.m('b'), 'b laptop', sha256('vst_b'::bytea)) AS k;
SELECT set_config('tap.digest', pg_temp.digest(), true);

-- === The personal login alice ===
SELECT pg_temp.login_as('tap_alice');
SELECT is(session_user::text, 'tap_alice', 'the test should now run as the login tap_alice');
SELECT is(vestige.current_user_id(), pg_temp.m('a'), 'a bound login should be its user without setting vestige.user_id');
SELECT ok(NOT vestige.is_service_session(), 'a bound login should not be a service session');

-- Asserting another user is refused everywhere, before anything is read.
SELECT set_config('vestige.user_id', pg_temp.m('b')::text, true);
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS015', NULL, 'a bound login naming another user should raise VS015');
SELECT throws_ok(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('b_private')), 'VS015', NULL,
                 'get_memory as another user should raise VS015');
SELECT throws_ok($$SELECT * FROM vestige.list_memories()$$, 'VS015', NULL, 'list_memories as another user should raise VS015');
SELECT throws_ok($$SELECT * FROM vestige.search_fts('secret')$$, 'VS015', NULL, 'search_fts as another user should raise VS015');
SELECT throws_ok($$SELECT * FROM vestige.recall('secret', '[1,0,0]', vestige_test.model_hash())$$, 'VS015', NULL,
                 'recall as another user should raise VS015');
SELECT throws_ok($$SELECT count(*) FROM vestige.knowledge_nodes$$, 'VS015', NULL,
                 'direct SQL as another user should raise VS015 (row-level security asks current_user_id)');
SELECT throws_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('b_private')), 'VS015', NULL,
                 'delete_memory as another user should raise VS015');
SELECT throws_ok($$SELECT * FROM vestige.my_api_keys()$$, 'VS015', NULL, 'my_api_keys as another user should raise VS015');
SELECT set_config('vestige.user_id', 'not-a-uuid', true);
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS015', NULL, 'a bound login setting garbage should raise VS015');
SELECT set_config('vestige.user_id', upper(pg_temp.m('a')::text), true);
SELECT is(vestige.current_user_id(), pg_temp.m('a'), 'a bound login naming itself should be accepted');
SELECT set_config('vestige.user_id', '', true);

-- SET ROLE does not get around it: the login decides.
SET LOCAL ROLE vestige_app;
SELECT set_config('vestige.user_id', pg_temp.m('b')::text, true);
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS015', NULL, 'after SET ROLE vestige_app the login should still be bound');
SELECT set_config('vestige.user_id', '', true);
SELECT throws_ok($$SET ROLE vestige_service$$, '42501', NULL, 'a personal login should not SET ROLE vestige_service');
SELECT throws_ok($$SET ROLE tap_server$$, '42501', NULL, 'a personal login should not SET ROLE to a service login');
RESET ROLE;

-- As itself: b's private memory is "not found" exactly as a memory that does not exist.
SELECT is(pg_temp.error_of(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('b_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('missing')), '{missing}'),
          'get_memory of b''s private memory should fail exactly as for a missing id');
SELECT throws_ok(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('b_private')), 'VS008', NULL, 'get_memory should raise VS008');
SELECT throws_ok(format('SELECT * FROM vestige.get_memory(%L)', pg_temp.m('b_group')), 'VS008', NULL,
                 'a group memory of a group alice is not in should be not found');
SELECT ok((SELECT count(*) FROM vestige.get_memory(pg_temp.m('b_public'))) = 1, 'b''s public memory should be readable');
SELECT is(pg_temp.error_of(format('SELECT * FROM vestige.update_memory(%L, p_content => %L)', pg_temp.m('b_private'), 'mine now'), '{b_private}'),
          pg_temp.error_of(format('SELECT * FROM vestige.update_memory(%L, p_content => %L)', pg_temp.m('missing'), 'mine now'), '{missing}'),
          'update_memory of b''s private memory should fail as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT vestige.delete_memory(%L)', pg_temp.m('b_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT vestige.delete_memory(%L)', pg_temp.m('missing')), '{missing}'),
          'delete_memory of b''s private memory should fail as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT vestige.share_memory(%L, %L)', pg_temp.m('b_private'), 'public'), '{b_private}'),
          pg_temp.error_of(format('SELECT vestige.share_memory(%L, %L)', pg_temp.m('missing'), 'public'), '{missing}'),
          'share_memory of b''s private memory should fail as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT * FROM vestige.review(%L, 4)', pg_temp.m('b_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT * FROM vestige.review(%L, 4)', pg_temp.m('missing')), '{missing}'),
          'review of b''s private memory should fail as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT vestige.promote_memory(%L)', pg_temp.m('b_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT vestige.promote_memory(%L)', pg_temp.m('missing')), '{missing}'),
          'promote_memory of b''s private memory should fail as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT vestige.demote_memory(%L)', pg_temp.m('b_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT vestige.demote_memory(%L)', pg_temp.m('missing')), '{missing}'),
          'demote_memory of b''s private memory should fail as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT * FROM vestige.get_scheduling(%L)', pg_temp.m('b_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT * FROM vestige.get_scheduling(%L)', pg_temp.m('missing')), '{missing}'),
          'get_scheduling of b''s private memory should fail as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT * FROM vestige.add_edge(%L, %L)', pg_temp.m('a_private'), pg_temp.m('b_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT * FROM vestige.add_edge(%L, %L)', pg_temp.m('a_private'), pg_temp.m('missing')), '{missing}'),
          'a link to b''s private memory should fail as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT * FROM vestige.add_edge(%L, %L)', pg_temp.m('b_private'), pg_temp.m('a_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT * FROM vestige.add_edge(%L, %L)', pg_temp.m('missing'), pg_temp.m('a_private')), '{missing}'),
          'a link from b''s private memory should fail as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT * FROM vestige.edges_of(%L)', pg_temp.m('b_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT * FROM vestige.edges_of(%L)', pg_temp.m('missing')), '{missing}'),
          'edges_of b''s private memory should answer as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT * FROM vestige.neighbors(%L)', pg_temp.m('b_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT * FROM vestige.neighbors(%L)', pg_temp.m('missing')), '{missing}'),
          'neighbors of b''s private memory should answer as for a missing id');
SELECT is(pg_temp.error_of(format('SELECT * FROM vestige.find_memory(%L)', left(pg_temp.m('b_private')::text, 8)), '{b_private}'),
          pg_temp.error_of(format('SELECT * FROM vestige.find_memory(%L)', left(pg_temp.m('missing')::text, 8)), '{missing}'),
          'an id prefix of b''s private memory should be not found, as a missing prefix');
SELECT is(vestige.touch_memories(ARRAY[pg_temp.m('b_private')]), 0, 'touching b''s private memory should touch nothing');
SELECT is(pg_temp.error_of(format('SELECT vestige.set_intention(%L, p_related_memory_ids => ARRAY[%L]::uuid[])', 'follow up', pg_temp.m('b_private')), '{b_private}'),
          pg_temp.error_of(format('SELECT vestige.set_intention(%L, p_related_memory_ids => ARRAY[%L]::uuid[])', 'follow up', pg_temp.m('missing')), '{missing}'),
          'an intention pointing at b''s private memory should fail as for a missing id');
SELECT ok(NOT EXISTS (SELECT FROM vestige.list_memories() AS l WHERE l.id IN (pg_temp.m('b_private'), pg_temp.m('b_group'))),
          'list_memories should not show b''s private or group memory');
SELECT ok(NOT EXISTS (SELECT FROM vestige.search_fts('secret plan') AS h WHERE h.id = pg_temp.m('b_private')),
          'full-text search should not find b''s private memory');
SELECT ok(NOT EXISTS (SELECT FROM vestige.search_vector('[1,0,0]', vestige_test.model_hash()) AS h WHERE h.id = pg_temp.m('b_private')),
          'vector search should not find b''s private memory');
SELECT ok((SELECT i.decision = 'create' AND i.id <> pg_temp.m('b_private') AND i.matched_id IS DISTINCT FROM pg_temp.m('b_private')
             FROM vestige.ingest('b private secret plan', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash()) AS i),
          'ingesting b''s private text should create alice''s own memory, never reinforce or name b''s');
SELECT is((SELECT count(*)::int FROM vestige.my_api_keys()), 0, 'my_api_keys should not list b''s key');
SELECT throws_ok(format('SELECT * FROM vestige.revoke_my_api_key(%L)', pg_temp.m('b_key')),
                 'VS008', NULL, 'revoking b''s key should be not found');
SELECT throws_ok($$SELECT * FROM vestige.authenticate(sha256('vst_b'::bytea))$$, 'VS015', NULL,
                 'a personal login should not authenticate API keys (no oracle)');

-- Direct SQL: row-level security with the same identity.
SET LOCAL ROLE vestige_app;
SELECT is((SELECT count(*)::int FROM vestige.knowledge_nodes WHERE id IN (pg_temp.m('b_private'), pg_temp.m('b_group'))), 0,
          'direct SQL should not see b''s private or group memory');
SELECT throws_ok(format('UPDATE vestige.knowledge_nodes SET content = %L WHERE id IN (%L, %L)', 'pwned', pg_temp.m('b_private'), pg_temp.m('b_public')), '42501', NULL,
          'direct UPDATE of b''s memories should be refused');
SELECT throws_ok(format('DELETE FROM vestige.knowledge_nodes WHERE id IN (%L, %L)', pg_temp.m('b_private'), pg_temp.m('b_public')), '42501', NULL,
          'direct DELETE of b''s memories should be refused');
SELECT throws_ok(format('INSERT INTO vestige.knowledge_nodes (content, owner_user_id) VALUES (%L, %L)', 'planted', pg_temp.m('b')), '42501', NULL,
                 'direct INSERT of a memory owned by b should be refused');
SELECT is((SELECT count(*)::int FROM vestige.scheduling WHERE memory_id = pg_temp.m('b_private'))
        + (SELECT count(*)::int FROM vestige.review_events WHERE memory_id = pg_temp.m('b_private')), 0,
          'direct SQL should not see the scheduling or reviews of b''s private memory');
SELECT throws_ok($$SELECT count(*) FROM vestige.api_keys$$, '42501', NULL, 'direct SQL should not read the API keys');
SELECT throws_ok($$SELECT count(*) FROM vestige.users$$, '42501', NULL, 'direct SQL should not read the users (or their bindings)');
SELECT throws_ok(format('UPDATE vestige.users SET login_role = NULL WHERE id = %L', pg_temp.m('a')), '42501', NULL,
                 'a personal login should not unbind itself by direct SQL');
SELECT throws_ok(format('INSERT INTO vestige.group_memberships (group_id, user_id, role) VALUES (%L, %L, %L)', pg_temp.m('g'), pg_temp.m('a'), 'admin'),
                 '42501', NULL, 'a personal login should not join a group by direct SQL');
RESET ROLE;

-- Groups and operator functions.
SELECT throws_ok(format('SELECT vestige.add_group_member(%L, %L)', pg_temp.m('g'), pg_temp.m('a')), 'VS010', NULL,
                 'a personal login should not add itself to a group it does not administer');
SELECT throws_ok(format('SELECT * FROM vestige.bind_login(%L, NULL)', pg_temp.m('a')), '42501', NULL, 'bind_login should be refused (operator only)');
SELECT throws_ok(format('SELECT * FROM vestige.create_api_key(%L, %L, sha256(%L::bytea))', pg_temp.m('b'), 'x', 'vst_x'), '42501', NULL,
                 'create_api_key should be refused (operator only)');
SELECT throws_ok($$SELECT * FROM vestige.list_api_keys()$$, '42501', NULL, 'list_api_keys should be refused (operator only)');
SELECT throws_ok(format('SELECT * FROM vestige.revoke_api_key(%L)', pg_temp.m('missing')), '42501', NULL, 'revoke_api_key should be refused (operator only)');
SELECT throws_ok($$SELECT * FROM vestige.reembed_prepare('m', 3, repeat('b', 64))$$, '42501', NULL, 'reembed_prepare should be refused (operator only)');
SELECT throws_ok($$SELECT vestige.import_begin()$$, '42501', NULL, 'import_begin should be refused (operator only)');
SELECT throws_ok($$SELECT vestige.create_user('mallory')$$, 'VS015', NULL, 'a personal login should not create users');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc AS p
            WHERE p.pronamespace = 'vestige'::regnamespace AND has_function_privilege('tap_alice', p.oid, 'EXECUTE')),
          (SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc AS p
            WHERE p.pronamespace = 'vestige'::regnamespace AND has_function_privilege('vestige_app', p.oid, 'EXECUTE')),
          'a personal login should execute exactly the functions vestige_app may');
RESET SESSION AUTHORIZATION;
SELECT is(pg_temp.digest(), current_setting('tap.digest'), 'nothing alice tried should have changed anything of b''s');

-- === An unbound login that is not a service login: no identity (fail closed) ===
SELECT pg_temp.login_as('tap_stranger');
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS001', NULL, 'an unbound non-service login should have no identity');
SELECT throws_ok($$SELECT * FROM vestige.list_memories()$$, 'VS001', NULL, 'an unbound login should get no memories, only VS001');
SELECT set_config('vestige.user_id', pg_temp.m('b')::text, true);
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS015', NULL, 'an unbound non-service login naming a user should raise VS015');
SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT count(*) FROM vestige.knowledge_nodes$$, 'VS015', NULL, 'direct SQL should fail the same way after SET ROLE');
RESET ROLE;
RESET SESSION AUTHORIZATION;

-- === Service logins ===
SELECT pg_temp.login_as('tap_server');
SELECT set_config('vestige.user_id', pg_temp.m('b')::text, true);
SELECT is(vestige.current_user_id(), pg_temp.m('b'), 'a vestige_service login should name the caller');
SET LOCAL ROLE vestige_app;
SELECT is(vestige.current_user_id(), pg_temp.m('b'), 'and still after SET ROLE vestige_app');
SELECT is((SELECT a.user_id FROM vestige.authenticate(sha256('vst_b'::bytea)) AS a), pg_temp.m('b'),
          'a service login should authenticate a key');
RESET ROLE;
RESET SESSION AUTHORIZATION;
SELECT pg_temp.login_as('tap_server2');
SELECT set_config('vestige.user_id', pg_temp.m('b')::text, true);
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS015', NULL, 'a service member bound to a user should be that user only (binding wins)');
RESET SESSION AUTHORIZATION;
SELECT set_config('vestige.user_id', pg_temp.m('b')::text, true);
SELECT is(vestige.current_user_id(), pg_temp.m('b'), 'a superuser session (the embedded default) should name the caller');

SELECT * FROM finish();
ROLLBACK;
