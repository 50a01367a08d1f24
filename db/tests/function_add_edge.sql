-- pgTAP: vestige.add_edge — owner of the source only, visible targets only, upsert, bad input.
BEGIN;
SELECT plan(30);

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

SET LOCAL ROLE vestige_app;

-- Alice, the owner.
SELECT vestige_test.act_as(pg_temp.m('alice'));

SELECT results_eq(
    $$SELECT source_id, target_id, edge_type, weight, activation_count, last_activated
        FROM vestige.add_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_note'),
                              p_edge_type => 'related', p_weight => 0.8)$$,
    $$VALUES (pg_temp.m('a_private'), pg_temp.m('a_note'), 'related'::text, 0.8::float8, 0, NULL::timestamptz)$$,
    'the owner should link her private memory to another of her memories and get the new edge back');
SELECT results_eq(
    $$SELECT weight FROM vestige.add_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_note'),
                                          p_edge_type => 'related', p_weight => 0.3)$$,
    $$VALUES (0.3::float8)$$,
    'the same source, target and type again should return the edge with the new weight');
SELECT is(
    (SELECT count(*)::int FROM vestige.edges AS e
      WHERE e.source_id = pg_temp.m('a_private') AND e.target_id = pg_temp.m('a_note') AND e.edge_type = 'related'),
    1, 'an upsert should keep a single edge for the same key');
SELECT results_eq(
    $$SELECT edge_type, weight FROM vestige.add_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('a_note'),
                                                     p_edge_type => 'supports')$$,
    $$VALUES ('supports'::text, 1.0::float8)$$,
    'another type between the same memories should be a second edge, with the default weight 1');
SELECT results_eq(
    $$SELECT target_id, edge_type FROM vestige.add_edge(p_source_id => pg_temp.m('a_group'), p_target_id => pg_temp.m('b_public'),
                                                        p_edge_type => 'cites', p_weight => 0.5)$$,
    $$VALUES (pg_temp.m('b_public'), 'cites'::text)$$,
    'the owner should link her memory to a public memory of another user');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_public'), p_target_id => pg_temp.m('b_private'))$$,
    'VS008', NULL, 'a private memory of Bob should not be a target for Alice');

-- Bob, a member of the group.
SELECT vestige_test.act_as(pg_temp.m('bob'));

SELECT results_eq(
    $$SELECT target_id FROM vestige.add_edge(p_source_id => pg_temp.m('b_private'), p_target_id => pg_temp.m('a_group'))$$,
    $$VALUES (pg_temp.m('a_group'))$$,
    'a group member should link his memory to a group memory he can see');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('b_private'), p_target_id => pg_temp.m('a_private'))$$,
    'VS008', NULL, 'a private memory of Alice should not be a target for a group member');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_group'), p_target_id => pg_temp.m('b_public'))$$,
    'VS009', NULL, 'a group member should not link from a group memory he does not own');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_public'), p_target_id => pg_temp.m('b_public'))$$,
    'VS009', NULL, 'a group member should not link from a public memory he does not own');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_private'), p_target_id => pg_temp.m('b_public'))$$,
    'VS008', NULL, 'a private memory of Alice should be reported as not found to a group member');

-- Carol, a stranger.
SELECT vestige_test.act_as(pg_temp.m('carol'));

SELECT results_eq(
    $$SELECT target_id FROM vestige.add_edge(p_source_id => pg_temp.m('c_private'), p_target_id => pg_temp.m('a_public'))$$,
    $$VALUES (pg_temp.m('a_public'))$$,
    'a stranger should link her memory to a public memory');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('c_private'), p_target_id => pg_temp.m('a_group'))$$,
    'VS008', NULL, 'a group memory should not be a target for a stranger');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('c_private'), p_target_id => pg_temp.m('a_private'))$$,
    'VS008', NULL, 'a private memory should not be a target for a stranger');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_public'), p_target_id => pg_temp.m('c_private'))$$,
    'VS009', NULL, 'a stranger should not link from a public memory she does not own');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_group'), p_target_id => pg_temp.m('c_private'))$$,
    'VS008', NULL, 'a group memory should be reported as not found to a stranger');

-- Bad input, as the owner.
SELECT vestige_test.act_as(pg_temp.m('alice'));

SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => pg_temp.m('a_note'))$$,
    'VS006', NULL, 'a memory should not be linked to itself');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => pg_temp.m('a_public'), p_edge_type => 'Related')$$,
    'VS006', NULL, 'an edge type with capitals should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => pg_temp.m('a_public'), p_edge_type => repeat('a', 65))$$,
    'VS006', NULL, 'an edge type longer than 64 characters should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => pg_temp.m('a_public'), p_edge_type => NULL)$$,
    'VS006', NULL, 'a NULL edge type should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => pg_temp.m('a_public'), p_weight => 0)$$,
    'VS006', NULL, 'a weight of 0 should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => pg_temp.m('a_public'), p_weight => 1.01)$$,
    'VS006', NULL, 'a weight above 1 should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => pg_temp.m('a_public'), p_weight => 'NaN')$$,
    'VS006', NULL, 'a NaN weight should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => pg_temp.m('a_public'), p_weight => NULL)$$,
    'VS006', NULL, 'a NULL weight should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => NULL, p_target_id => pg_temp.m('a_public'))$$,
    'VS006', NULL, 'a NULL source should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => gen_random_uuid(), p_target_id => pg_temp.m('a_public'))$$,
    'VS008', NULL, 'an unknown source memory should be reported as not found');
SELECT throws_like(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => gen_random_uuid())$$,
    'edge to a missing or invisible node%', 'an unknown target memory should be reported as an edge to a missing node');
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => gen_random_uuid())$$,
    'VS008', NULL, 'an unknown target memory should raise VS008');

SELECT vestige_test.act_as(NULL);
SELECT throws_ok(
    $$SELECT * FROM vestige.add_edge(p_source_id => pg_temp.m('a_note'), p_target_id => pg_temp.m('a_public'))$$,
    'VS001', NULL, 'a call without caller identity should be refused');

RESET ROLE;
SELECT set_eq(
    $$SELECT source_id, target_id, edge_type, weight FROM vestige.edges$$,
    $$VALUES (pg_temp.m('a_private'), pg_temp.m('a_note'), 'related'::text, 0.3::float8),
             (pg_temp.m('a_private'), pg_temp.m('a_note'), 'supports', 1.0),
             (pg_temp.m('a_group'), pg_temp.m('b_public'), 'cites', 0.5),
             (pg_temp.m('b_private'), pg_temp.m('a_group'), 'related', 1.0),
             (pg_temp.m('c_private'), pg_temp.m('a_public'), 'related', 1.0)$$,
    'the edges table should hold exactly the successful edges: the refused calls changed nothing');

SELECT * FROM finish();
ROLLBACK;
