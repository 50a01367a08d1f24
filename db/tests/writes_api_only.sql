-- pgTAP: one rule for writes (the attacker's view). Every bypass found by direct SQL is tried
-- both ways: direct SQL as vestige_app is refused outright (42501: no INSERT, UPDATE or DELETE
-- on memories or intentions), and the API function refuses or does the right thing. The
-- attacker x is a service-session caller who is in no group; g is a group of a and b.
BEGIN;
SELECT plan(28);

CREATE ROLE tap_server LOGIN IN ROLE vestige_service;

CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT, INSERT ON ids TO PUBLIC;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
-- A digest of everything a write could change.
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT md5(concat_ws('|',
        (SELECT string_agg(n::text, ',' ORDER BY n.id) FROM vestige.knowledge_nodes AS n),
        (SELECT string_agg(s::text, ',' ORDER BY s.memory_id) FROM vestige.scheduling AS s),
        (SELECT string_agg(i::text, ',' ORDER BY i.id) FROM vestige.intentions AS i)))
$$;
CREATE FUNCTION pg_temp.snapshot() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('tap.state', pg_temp.state(), true) $$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_temp.state() = current_setting('tap.state') $$;
CREATE FUNCTION pg_temp.node(p_id uuid) RETURNS vestige.knowledge_nodes
LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT * FROM vestige.knowledge_nodes AS n WHERE n.id = p_id $$;
-- The error a statement raises, SQLSTATE and message, with the given id masked.
CREATE FUNCTION pg_temp.error_of(p_sql text, p_id uuid) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE p_sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN replace(SQLSTATE || ': ' || SQLERRM, p_id::text, '<id>');
END
$$;

SELECT vestige_test.register_model();
INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('x', vestige_test.user('x')),
                       ('free', '99999999-9999-4999-8999-999999999999');
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'a_private', vestige_test.memory(pg_temp.m('a'), 'a private plan', p_embedding => '[1,0,0]');
INSERT INTO ids SELECT 'x_note', vestige_test.memory(pg_temp.m('x'), 'x note', p_embedding => '[0,1,0]');

-- The attacker logs in as a service login (the network server's kind) and acts as x.
SET LOCAL SESSION AUTHORIZATION tap_server;
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('x'));
SELECT pg_temp.snapshot();

-- 1. Poisoning a group x is not in.
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id, visibility, shared_with_groups) VALUES ('poison', %L, 'group', ARRAY[%L::uuid])$$,
                        pg_temp.m('x'), pg_temp.m('g')),
                 '42501', NULL, 'a direct INSERT sharing into a group x is not in should be refused (42501)');
SELECT throws_ok(format($$UPDATE vestige.knowledge_nodes SET visibility = 'group', shared_with_groups = ARRAY[%L::uuid] WHERE id = %L$$,
                        pg_temp.m('g'), pg_temp.m('x_note')),
                 '42501', NULL, 'a direct UPDATE sharing an own memory into that group should be refused (42501)');
SELECT throws_ok(format($$SELECT vestige.insert_memory(p_content => 'poison', p_visibility => 'group', p_shared_with_groups => ARRAY[%L::uuid])$$, pg_temp.m('g')),
                 'VS010', NULL, 'insert_memory into a group x is not in should raise VS010');
SELECT throws_ok(format($$SELECT vestige.share_memory(%L, 'group', ARRAY[%L::uuid])$$, pg_temp.m('x_note'), pg_temp.m('g')),
                 'VS010', NULL, 'share_memory into a group x is not in should raise VS010');
SELECT ok(pg_temp.unchanged(), 'the refused poisoning should change nothing');

-- 2. A private memory with groups.
SELECT throws_ok(format($$UPDATE vestige.knowledge_nodes SET shared_with_groups = ARRAY[%L::uuid] WHERE id = %L$$, pg_temp.m('g'), pg_temp.m('x_note')),
                 '42501', NULL, 'a direct UPDATE giving a private memory groups should be refused (42501)');
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT throws_ok(format($$SELECT vestige.insert_memory(p_content => 'odd', p_visibility => 'private', p_shared_with_groups => ARRAY[%L::uuid])$$, pg_temp.m('g')),
                 'VS006', NULL, 'insert_memory of a private memory with groups should raise VS006, even for a member');
SELECT throws_ok(format($$SELECT vestige.share_memory(%L, 'private', ARRAY[%L::uuid])$$, pg_temp.m('a_private'), pg_temp.m('g')),
                 'VS006', NULL, 'share_memory to private with groups should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused private-with-groups writes should change nothing');

-- 3. New content under the old vector.
SELECT vestige_test.act_as(pg_temp.m('x'));
SELECT throws_ok(format($$UPDATE vestige.knowledge_nodes SET content = 'something else entirely' WHERE id = %L$$, pg_temp.m('x_note')),
                 '42501', NULL, 'a direct content UPDATE (keeping the old vector) should be refused (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused content update should change nothing');
SELECT lives_ok(format($$SELECT vestige.update_memory(p_id => %L, p_content => 'x note, rewritten')$$, pg_temp.m('x_note')),
                'update_memory should change the content');
SELECT ok((SELECT embedding IS NULL AND content = 'x note, rewritten' FROM pg_temp.node(pg_temp.m('x_note'))),
          'update_memory with new content and no vector should drop the old vector');

-- 4. A memory without a scheduling row.
SELECT pg_temp.snapshot();
SELECT throws_ok(format($$INSERT INTO vestige.knowledge_nodes (content, owner_user_id) VALUES ('unscheduled', %L)$$, pg_temp.m('x')),
                 '42501', NULL, 'a direct INSERT (no scheduling row) should be refused (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused insert should store nothing');
INSERT INTO ids SELECT 'x_new', vestige.insert_memory(p_content => 'x scheduled');
SELECT is((SELECT count(*)::int FROM vestige.scheduling WHERE memory_id = pg_temp.m('x_new')), 1,
          'insert_memory should store the memory with its scheduling row');

-- 5. An intention pointing at a memory x cannot see.
SELECT pg_temp.snapshot();
SELECT throws_ok(format($$INSERT INTO vestige.intentions (owner_user_id, content, related_memory_ids) VALUES (%L, 'spy', ARRAY[%L::uuid])$$,
                        pg_temp.m('x'), pg_temp.m('a_private')),
                 '42501', NULL, 'a direct INSERT of an intention pointing at a''s private memory should be refused (42501)');
SELECT throws_ok(format($$SELECT vestige.set_intention(p_content => 'spy', p_related_memory_ids => ARRAY[%L::uuid])$$, pg_temp.m('a_private')),
                 'VS008', NULL, 'set_intention pointing at a''s private memory should raise VS008');
SELECT is(pg_temp.error_of(format($$SELECT vestige.set_intention(p_content => 'spy', p_related_memory_ids => ARRAY[%L::uuid])$$, pg_temp.m('a_private')), pg_temp.m('a_private')),
          pg_temp.error_of(format($$SELECT vestige.set_intention(p_content => 'spy', p_related_memory_ids => ARRAY[%L::uuid])$$, pg_temp.m('free')), pg_temp.m('free')),
          'set_intention should answer for a''s private memory exactly as for an id that does not exist');
SELECT ok(pg_temp.unchanged(), 'the refused intentions should store nothing');

-- 6. Choosing the id of a new memory: an operator's privilege, so no one probes for ids.
SELECT is(pg_temp.error_of(format($$SELECT vestige.insert_memory(p_content => 'probe', p_id => %L)$$, pg_temp.m('a_private')), pg_temp.m('a_private')),
          pg_temp.error_of(format($$SELECT vestige.insert_memory(p_content => 'probe', p_id => %L)$$, pg_temp.m('free')), pg_temp.m('free')),
          'insert_memory with a''s private id should answer exactly as with a free id');
SELECT throws_ok(format($$SELECT vestige.insert_memory(p_content => 'probe', p_id => %L)$$, pg_temp.m('free')),
                 'VS006', 'only an operator may choose the id of a new memory', 'a service session choosing an id should raise VS006');
SELECT ok(pg_temp.unchanged(), 'the refused probes should store nothing');

-- 7. Deleting and changing what is not x's.
SELECT throws_ok(format($$DELETE FROM vestige.knowledge_nodes WHERE id = %L$$, pg_temp.m('a_private')),
                 '42501', NULL, 'a direct DELETE should be refused (42501)');
SELECT throws_ok(format($$SELECT vestige.delete_memory(%L)$$, pg_temp.m('a_private')),
                 'VS008', NULL, 'delete_memory of a''s private memory should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the refused deletes should change nothing');

-- The group members see nothing planted.
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT is((SELECT count(*)::int FROM vestige.list_memories() AS l WHERE l.owner_user_id = pg_temp.m('x')), 0,
          'a member of g should see none of x''s memories');
RESET ROLE;
RESET SESSION AUTHORIZATION;
-- The operator (the superuser running this test) may still choose an id, for imports.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT is(vestige.insert_memory(p_content => 'imported', p_id => pg_temp.m('free')), pg_temp.m('free'),
          'an operator''s session should still choose the id of a new memory');

SELECT * FROM finish();
ROLLBACK;
