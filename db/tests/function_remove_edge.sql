-- pgTAP: vestige.remove_edge — owner of the source only, one type or all, nothing to remove.
BEGIN;
SELECT plan(19);

-- Fixtures (superuser). Alice shares a group with Bob; Carol is a stranger.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;

INSERT INTO ids VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob')),
                       ('carol', vestige_test.user('carol'));
INSERT INTO ids SELECT 'team', vestige_test.group('team', pg_temp.m('alice'), ARRAY[pg_temp.m('bob')]);
INSERT INTO ids SELECT 'a_private', vestige_test.memory(pg_temp.m('alice'), 'alice private', 'private');
INSERT INTO ids SELECT 'a_note',    vestige_test.memory(pg_temp.m('alice'), 'alice note', 'private');
INSERT INTO ids SELECT 'a_group',   vestige_test.memory(pg_temp.m('alice'), 'alice group', 'group', ARRAY[pg_temp.m('team')]);
INSERT INTO ids SELECT 'a_public',  vestige_test.memory(pg_temp.m('alice'), 'alice public', 'public');
INSERT INTO ids SELECT 'b_private', vestige_test.memory(pg_temp.m('bob'), 'bob private', 'private');
INSERT INTO ids SELECT 'b_public',  vestige_test.memory(pg_temp.m('bob'), 'bob public', 'public');
INSERT INTO ids SELECT 'c_private', vestige_test.memory(pg_temp.m('carol'), 'carol private', 'private');

INSERT INTO vestige.edges (source_id, target_id, edge_type, weight) VALUES
    (pg_temp.m('a_private'), pg_temp.m('a_note'),    'related',  0.8),
    (pg_temp.m('a_private'), pg_temp.m('a_note'),    'supports', 0.5),
    (pg_temp.m('a_private'), pg_temp.m('a_note'),    'cites',    0.4),
    (pg_temp.m('a_private'), pg_temp.m('a_group'),   'related',  1.0),
    (pg_temp.m('a_group'),   pg_temp.m('b_public'),  'related',  1.0),
    (pg_temp.m('a_public'),  pg_temp.m('a_note'),    'related',  1.0),
    -- made when Bob's memory was still public: Alice can no longer see its target.
    (pg_temp.m('a_public'),  pg_temp.m('b_private'), 'related',  1.0),
    (pg_temp.m('b_private'), pg_temp.m('a_group'),   'related',  1.0),
    (pg_temp.m('c_private'), pg_temp.m('a_public'),  'related',  1.0);

SET LOCAL ROLE vestige_app;

-- Alice, the owner.
SELECT vestige_test.act_as(pg_temp.m('alice'));

SELECT is(vestige.remove_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_note'), p_edge_type => 'supports'),
          1, 'removing one type should remove exactly that edge');
SELECT set_eq(
    $$SELECT e.edge_type FROM vestige.edges AS e WHERE e.source_id = pg_temp.m('a_private') AND e.target_id = pg_temp.m('a_note')$$,
    ARRAY['related', 'cites'],
    'the edges of the other types between the same memories should stay');
SELECT is(vestige.remove_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_note')),
          2, 'a NULL type should remove the edges of every type and count them');
SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_note'))$$,
    'VS008', NULL, 'nothing left to remove should be reported as not found');
SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_group'), p_edge_type => 'cites')$$,
    'VS008', NULL, 'a type without an edge should be reported as not found');
SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_group'), p_target_id => pg_temp.m('a_private'))$$,
    'VS008', NULL, 'an edge should not be removed from its target end');
SELECT is(vestige.remove_edge(p_source_id => pg_temp.m('a_public'), p_target_id => pg_temp.m('b_private')),
          1, 'the owner should remove her edge to a memory she can no longer see');

-- Bob, a member of the group.
SELECT vestige_test.act_as(pg_temp.m('bob'));

SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_group'), p_target_id => pg_temp.m('b_public'))$$,
    'VS009', NULL, 'a group member should not remove an edge from a group memory he does not own');
SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_public'), p_target_id => pg_temp.m('a_note'))$$,
    'VS009', NULL, 'a group member should not remove an edge from a public memory he does not own');
SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_group'))$$,
    'VS008', NULL, 'a private memory of Alice should be reported as not found to a group member');
SELECT is(vestige.remove_edge(p_source_id => pg_temp.m('b_private'), p_target_id => pg_temp.m('a_group')),
          1, 'a group member should remove his own edge to a group memory');

-- Carol, a stranger.
SELECT vestige_test.act_as(pg_temp.m('carol'));

SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_public'), p_target_id => pg_temp.m('a_note'))$$,
    'VS009', NULL, 'a stranger should not remove an edge from a public memory she does not own');
SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_group'), p_target_id => pg_temp.m('b_public'))$$,
    'VS008', NULL, 'a group memory should be reported as not found to a stranger');
SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_group'))$$,
    'VS008', NULL, 'a private memory should be reported as not found to a stranger');

-- Bad input, as the owner.
SELECT vestige_test.act_as(pg_temp.m('alice'));

SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_group'), p_edge_type => 'Bad Type')$$,
    'VS006', NULL, 'a malformed edge type should be refused');
SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => gen_random_uuid(), p_target_id => pg_temp.m('a_group'))$$,
    'VS008', NULL, 'an unknown source memory should be reported as not found');
SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => NULL, p_target_id => pg_temp.m('a_group'))$$,
    'VS008', NULL, 'a NULL source should be reported as not found');

SELECT vestige_test.act_as(NULL);
SELECT throws_ok(
    $$SELECT vestige.remove_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_group'))$$,
    'VS001', NULL, 'a call without caller identity should be refused');

RESET ROLE;
SELECT set_eq(
    $$SELECT source_id, target_id, edge_type FROM vestige.edges$$,
    $$VALUES (pg_temp.m('a_private'), pg_temp.m('a_group'), 'related'::text),
             (pg_temp.m('a_group'), pg_temp.m('b_public'), 'related'),
             (pg_temp.m('a_public'), pg_temp.m('a_note'), 'related'),
             (pg_temp.m('c_private'), pg_temp.m('a_public'), 'related')$$,
    'only the removed edges should be gone: the refused calls changed nothing');

SELECT * FROM finish();
ROLLBACK;
