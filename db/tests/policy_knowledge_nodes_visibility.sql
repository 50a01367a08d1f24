-- pgTAP: row-level security on vestige.knowledge_nodes — direct SQL as vestige_app reads the
-- visible rows only, fails closed without identity, and writes the caller's own rows only.
BEGIN;
SELECT plan(38);

-- Fixtures (superuser). A owns a private, a group (G) and a public memory; B is in G and owns a
-- private memory; C is a stranger with a private and a public memory.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
-- The number of rows a statement affects (as the current role).
CREATE FUNCTION pg_temp.affected(p_sql text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_rows integer;
BEGIN
    EXECUTE p_sql;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;
CREATE FUNCTION pg_temp.node(p_id uuid) RETURNS vestige.knowledge_nodes
LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT * FROM vestige.knowledge_nodes AS n WHERE n.id = p_id $$;
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
SELECT policies_are('vestige', 'knowledge_nodes',
                    ARRAY['knowledge_nodes_select', 'knowledge_nodes_insert', 'knowledge_nodes_update', 'knowledge_nodes_delete'],
                    'knowledge_nodes should have exactly the select, insert, update and delete policies');

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

-- INSERT: only as the owner, and never the embedding or the strengths.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT pg_temp.snapshot();
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id) VALUES ('forged', %L)$$, pg_temp.m('b')),
                 '42501', NULL, 'inserting a memory owned by another user should be refused by row-level security (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused forged insert should store nothing');
SELECT throws_ok($$INSERT INTO vestige.knowledge_nodes (content) VALUES ('default owner')$$,
                 '42501', NULL, 'inserting without owner_user_id (the bootstrap user by default) should be refused (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused insert with the default owner should store nothing');
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id, embedding) VALUES ('vec', %L, '[1,0,0]')$$, pg_temp.m('a')),
                 '42501', NULL, 'inserting an embedding directly should be refused by column privileges (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused embedding insert should store nothing');
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id, storage_strength) VALUES ('strong', %L, 10)$$, pg_temp.m('a')),
                 '42501', NULL, 'inserting strengths directly should be refused by column privileges (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused strength insert should store nothing');
SELECT lives_ok(format($$INSERT INTO vestige.knowledge_nodes (id, content, owner_user_id) VALUES ('12345678-1234-4234-8234-123456789abc', 'direct own', %L)$$, pg_temp.m('a')),
                'inserting a memory owned by the caller should be allowed');
SELECT ok((SELECT search_tsv @@ to_tsquery('english', 'direct') FROM pg_temp.node('12345678-1234-4234-8234-123456789abc')),
          'the full-text trigger should run for direct inserts as vestige_app');

-- UPDATE and DELETE of another user's rows affect nothing.
SELECT pg_temp.snapshot();
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT is(pg_temp.affected($$UPDATE vestige.knowledge_nodes SET content = 'defaced' WHERE id = pg_temp.m('a_public')$$),
          0, 'a stranger updating another user''s public memory should affect 0 rows');
SELECT ok(pg_temp.unchanged(), 'the stranger''s UPDATE should change nothing');
SELECT is(pg_temp.affected($$DELETE FROM vestige.knowledge_nodes WHERE id = pg_temp.m('a_public')$$),
          0, 'a stranger deleting another user''s public memory should affect 0 rows');
SELECT ok(pg_temp.unchanged(), 'the stranger''s DELETE should remove nothing');
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT is(pg_temp.affected($$UPDATE vestige.knowledge_nodes SET content = 'defaced' WHERE id = pg_temp.m('a_group')$$),
          0, 'a group member updating the owner''s group memory should affect 0 rows');
SELECT ok(pg_temp.unchanged(), 'the member''s UPDATE should change nothing');
SELECT is(pg_temp.affected($$DELETE FROM vestige.knowledge_nodes WHERE id IN (pg_temp.m('a_group'), pg_temp.m('a_private'))$$),
          0, 'a group member deleting the owner''s memories should affect 0 rows');
SELECT ok(pg_temp.unchanged(), 'the member''s DELETE should remove nothing');
SELECT is(pg_temp.affected($$UPDATE vestige.knowledge_nodes SET protected = true$$),
          1, 'an unfiltered UPDATE by B should reach only B''s own memory');
SELECT ok((SELECT NOT protected FROM pg_temp.node(pg_temp.m('a_group'))) AND (SELECT protected FROM pg_temp.node(pg_temp.m('b_private'))),
          'the unfiltered UPDATE should have changed B''s memory and left A''s group memory alone');
SELECT results_eq($$SELECT content FROM pg_temp.node(pg_temp.m('a_public')) UNION ALL SELECT content FROM pg_temp.node(pg_temp.m('a_group'))$$,
                  $$VALUES ('a public'::text), ('a group'::text)$$,
                  'the memories others tried to change should keep their content');

-- The owner's own writes, and the columns no one may write directly.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT is(pg_temp.affected($$UPDATE vestige.knowledge_nodes SET content = 'a public edited' WHERE id = pg_temp.m('a_public')$$),
          1, 'the owner updating their own memory should affect 1 row');
SELECT pg_temp.snapshot();
SELECT throws_ok(format($$UPDATE vestige.knowledge_nodes SET embedding = '[0,1,0]' WHERE id = %L$$, pg_temp.m('a_private')),
                 '42501', NULL, 'writing the embedding column directly should be refused by column privileges (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused embedding update should change nothing');
SELECT throws_ok(format($$UPDATE vestige.knowledge_nodes SET owner_user_id = %L WHERE id = %L$$, pg_temp.m('b'), pg_temp.m('a_private')),
                 '42501', NULL, 'handing a memory to another owner directly should be refused (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused owner change should change nothing');
SELECT throws_ok(format($$UPDATE vestige.knowledge_nodes SET retrieval_strength = 1, access_count = 99 WHERE id = %L$$, pg_temp.m('a_private')),
                 '42501', NULL, 'writing strengths or counters directly should be refused by column privileges (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused strength update should change nothing');
SELECT is(pg_temp.affected($$DELETE FROM vestige.knowledge_nodes WHERE id = pg_temp.m('a_public')$$),
          1, 'the owner deleting their own memory should affect 1 row');
SELECT is((pg_temp.node(pg_temp.m('a_public'))).id, NULL::uuid, 'the owner''s deleted memory should be gone');

SELECT * FROM finish();
ROLLBACK;
