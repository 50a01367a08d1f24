-- pgTAP: row-level security on vestige.knowledge_nodes — direct SQL as vestige_app reads the
-- visible rows only, fails closed without identity, and writes nothing directly.
BEGIN;
SELECT plan(14);

-- Fixtures (superuser). A owns a private, a group (G) and a public memory; B is in G and owns a
-- private memory; C is a stranger with a private and a public memory.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
-- A digest of the memory table: a refused write must leave it as it was at the last snapshot.
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT md5(string_agg(n::text, ',' ORDER BY n.id)) FROM vestige.knowledge_nodes AS n
$$;
CREATE FUNCTION pg_temp.snapshot() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('tap.state', pg_temp.state(), true) $$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_temp.state() = current_setting('tap.state') $$;

SELECT vestige_test.register_model();
INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'a_private', vestige_test.memory(pg_temp.m('a'), 'a private', p_embedding => '[1,0,0]');
INSERT INTO ids SELECT 'a_group',   vestige_test.memory(pg_temp.m('a'), 'a group', 'group', ARRAY[pg_temp.m('g')]);
INSERT INTO ids SELECT 'a_public',  vestige_test.memory(pg_temp.m('a'), 'a public', 'public');
INSERT INTO ids SELECT 'b_private', vestige_test.memory(pg_temp.m('b'), 'b private');
INSERT INTO ids SELECT 'c_private', vestige_test.memory(pg_temp.m('c'), 'c private');
INSERT INTO ids SELECT 'c_public',  vestige_test.memory(pg_temp.m('c'), 'c public', 'public');

SELECT ok((SELECT relrowsecurity AND NOT relforcerowsecurity FROM pg_class WHERE oid = 'vestige.knowledge_nodes'::regclass),
          'row-level security should be enabled (not forced) on knowledge_nodes');
SELECT policies_are('vestige', 'knowledge_nodes', ARRAY['knowledge_nodes_select'],
                    'knowledge_nodes should have exactly the select policy (no direct writes)');

SET LOCAL ROLE vestige_app;

-- SELECT: exactly the visible rows.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes$$,
              $$SELECT id FROM ids WHERE name IN ('a_private', 'a_group', 'a_public', 'c_public')$$,
              'the owner should see their own memories and other users'' public ones, not their private ones');
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes$$,
              $$SELECT id FROM ids WHERE name IN ('a_group', 'a_public', 'b_private', 'c_public')$$,
              'a group member should see the group memory, the public ones and their own, not A''s private one');
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes$$,
              $$SELECT id FROM ids WHERE name IN ('a_public', 'c_private', 'c_public')$$,
              'a stranger should see only public memories and their own');
SELECT is_empty(format('SELECT 1 FROM vestige.knowledge_nodes WHERE id = %L', pg_temp.m('a_group')),
                'a stranger looking up a group memory by id should find nothing');

-- Fail closed.
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT count(*) FROM vestige.knowledge_nodes$$, 'VS001', NULL, 'a SELECT without identity should raise VS001, not see everything');
SELECT set_config('vestige.user_id', gen_random_uuid()::text, true);
SELECT throws_ok($$SELECT count(*) FROM vestige.knowledge_nodes$$, 'VS011', NULL, 'a SELECT by an identity naming no user should raise VS011');

-- Writes: none directly, not even to the caller's own rows (the API functions are the way in;
-- db/tests/writes_api_only.sql tries each rule both ways).
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT pg_temp.snapshot();
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id) VALUES ('direct own', %L)$$, pg_temp.m('a')),
                 '42501', NULL, 'inserting even an own memory directly should be refused (42501)');
SELECT throws_ok($$UPDATE vestige.knowledge_nodes SET content = 'edited' WHERE id = pg_temp.m('a_public')$$,
                 '42501', NULL, 'updating even an own memory directly should be refused (42501)');
SELECT throws_ok($$DELETE FROM vestige.knowledge_nodes WHERE id = pg_temp.m('a_public')$$,
                 '42501', NULL, 'deleting even an own memory directly should be refused (42501)');
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT throws_ok($$UPDATE vestige.knowledge_nodes SET content = 'defaced' WHERE id = pg_temp.m('a_public')$$,
                 '42501', NULL, 'a stranger updating a public memory directly should be refused (42501)');
SELECT throws_ok($$DELETE FROM vestige.knowledge_nodes$$,
                 '42501', NULL, 'an unfiltered DELETE should be refused (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused writes should change nothing');

SELECT * FROM finish();
ROLLBACK;
