-- pgTAP: vestige.delete_memory — owner only; scheduling, review events and edges go with the
-- memory; refused calls delete nothing.
BEGIN;
SELECT plan(27);

-- Fixtures (superuser). A owns a private, a group (G) and a public memory, and 'other', which
-- the private one superseded; B is in G; C is a stranger. Edges, review events and the
-- supersede link are written directly.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
-- What is left of a memory, read as the superuser: its row, scheduling, review events, edges.
CREATE FUNCTION pg_temp.rows_of(p_id uuid) RETURNS TABLE (memory int, scheduling int, review_events int, edges int)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT (SELECT count(*)::int FROM vestige.knowledge_nodes AS n WHERE n.id = p_id),
           (SELECT count(*)::int FROM vestige.scheduling AS s WHERE s.memory_id = p_id),
           (SELECT count(*)::int FROM vestige.review_events AS r WHERE r.memory_id = p_id),
           (SELECT count(*)::int FROM vestige.edges AS e WHERE p_id IN (e.source_id, e.target_id))
$$;
CREATE FUNCTION pg_temp.node(p_id uuid) RETURNS vestige.knowledge_nodes
LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT * FROM vestige.knowledge_nodes AS n WHERE n.id = p_id $$;
-- A digest of the memory tables: a refused call must leave it as it was at the last snapshot.
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT md5(concat_ws('|',
        (SELECT string_agg(n::text, ',' ORDER BY n.id) FROM vestige.knowledge_nodes AS n),
        (SELECT string_agg(s::text, ',' ORDER BY s.memory_id) FROM vestige.scheduling AS s),
        (SELECT string_agg(e::text, ',' ORDER BY e.source_id, e.target_id, e.edge_type) FROM vestige.edges AS e),
        (SELECT string_agg(r::text, ',' ORDER BY r.id) FROM vestige.review_events AS r)))
$$;
CREATE FUNCTION pg_temp.snapshot() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('tap.state', pg_temp.state(), true) $$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_temp.state() = current_setting('tap.state') $$;

INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'private', vestige_test.memory(pg_temp.m('a'), 'a private note');
INSERT INTO ids SELECT 'group',   vestige_test.memory(pg_temp.m('a'), 'a group note', 'group', ARRAY[pg_temp.m('g')]);
INSERT INTO ids SELECT 'public',  vestige_test.memory(pg_temp.m('a'), 'a public note', 'public');
INSERT INTO ids SELECT 'other',   vestige_test.memory(pg_temp.m('a'), 'an older note');
INSERT INTO ids SELECT 'b_public', vestige_test.memory(pg_temp.m('b'), 'b public note', 'public');
UPDATE vestige.knowledge_nodes SET superseded_by = pg_temp.m('private') WHERE id = pg_temp.m('other');
INSERT INTO vestige.edges (source_id, target_id, edge_type) VALUES
    (pg_temp.m('private'), pg_temp.m('public'), 'related'),
    (pg_temp.m('other'), pg_temp.m('private'), 'related'),
    (pg_temp.m('b_public'), pg_temp.m('private'), 'cites'),
    (pg_temp.m('group'), pg_temp.m('public'), 'related');
INSERT INTO vestige.review_events (memory_id, rating, prior_state, new_state)
VALUES (pg_temp.m('private'), 3, '{}', '{}'), (pg_temp.m('private'), 4, '{}', '{}'), (pg_temp.m('public'), 3, '{}', '{}');

SET LOCAL ROLE vestige_app;

-- Refused calls: the right SQLSTATE, and nothing deleted.
SELECT pg_temp.snapshot();
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT throws_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('group')), 'VS009', NULL,
                 'a group member deleting the owner''s group memory should raise VS009');
SELECT ok(pg_temp.unchanged(), 'the member''s refused delete of the group memory should delete nothing');
SELECT throws_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('public')), 'VS009', NULL,
                 'a group member deleting the owner''s public memory should raise VS009');
SELECT ok(pg_temp.unchanged(), 'the member''s refused delete of the public memory should delete nothing');
SELECT throws_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('private')), 'VS008', NULL,
                 'a group member deleting the owner''s private memory should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the member''s refused delete of the private memory should delete nothing');
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT throws_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('group')), 'VS008', NULL,
                 'a stranger deleting a group memory not shared with them should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the stranger''s refused delete of the group memory should delete nothing');
SELECT throws_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('public')), 'VS009', NULL,
                 'a stranger deleting a public memory should raise VS009');
SELECT ok(pg_temp.unchanged(), 'the stranger''s refused delete of the public memory should delete nothing');
SELECT throws_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('private')), 'VS008', NULL,
                 'a stranger deleting a private memory should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the stranger''s refused delete of the private memory should delete nothing');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('private')), 'VS001', NULL,
                 'delete_memory without identity should raise VS001');
SELECT ok(pg_temp.unchanged(), 'the anonymous refused delete should delete nothing');
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT throws_ok($$SELECT vestige.delete_memory(gen_random_uuid())$$, 'VS008', NULL, 'deleting a missing memory should raise VS008');
SELECT ok(pg_temp.unchanged(), 'the refused delete of a missing memory should delete nothing');

-- The owner deletes; everything derived from the memory goes with it.
SELECT results_eq($$SELECT * FROM pg_temp.rows_of(pg_temp.m('private'))$$, $$VALUES (1, 1, 2, 3)$$,
                  'before the delete the private memory should have its scheduling, two review events and three edges');
SELECT lives_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('private')), 'the owner should delete their private memory');
SELECT results_eq($$SELECT * FROM pg_temp.rows_of(pg_temp.m('private'))$$, $$VALUES (0, 0, 0, 0)$$,
                  'the memory, its scheduling, its review events and its edges (both directions, also other users'') should be gone');
SELECT is((pg_temp.node(pg_temp.m('other'))).superseded_by, NULL::uuid, 'the memory it superseded should forget the link');
SELECT results_eq($$SELECT * FROM pg_temp.rows_of(pg_temp.m('public'))$$, $$VALUES (1, 1, 1, 1)$$,
                  'the other memories should keep their rows, review events and edges');
SELECT results_eq($$SELECT * FROM pg_temp.rows_of(pg_temp.m('b_public'))$$, $$VALUES (1, 1, 0, 0)$$,
                  'B''s memory should remain, without its edge to the deleted memory');
SELECT throws_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('private')), 'VS008', NULL,
                 'deleting the same memory again should raise VS008');
SELECT lives_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('group')), 'the owner should delete their group memory');
SELECT lives_ok(format('SELECT vestige.delete_memory(%L)', pg_temp.m('public')), 'the owner should delete their public memory');
SELECT results_eq($$SELECT memory, edges FROM pg_temp.rows_of(pg_temp.m('group')) UNION ALL SELECT memory, review_events FROM pg_temp.rows_of(pg_temp.m('public'))$$,
                  $$VALUES (0, 0), (0, 0)$$,
                  'the group and public memories should be gone with their edge and review event');

SELECT ok(has_function_privilege('vestige_app', 'vestige.delete_memory(uuid)', 'EXECUTE'), 'vestige_app should be allowed to execute delete_memory');

SELECT * FROM finish();
ROLLBACK;
