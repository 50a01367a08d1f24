-- pgTAP: vestige.edges_of — edges of a visible memory whose other end is visible, by direction and type.
BEGIN;
SELECT plan(22);

-- Fixtures (superuser). Alice shares a group with Bob; Carol is a stranger.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;

INSERT INTO ids VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob')),
                       ('carol', vestige_test.user('carol'));
INSERT INTO ids SELECT 'team', vestige_test.group('team', pg_temp.m('alice'), ARRAY[pg_temp.m('bob')]);
INSERT INTO ids SELECT 'a_private', vestige_test.memory(pg_temp.m('alice'), 'alice private', 'private');
INSERT INTO ids SELECT 'a_group',   vestige_test.memory(pg_temp.m('alice'), 'alice group', 'group', ARRAY[pg_temp.m('team')]);
INSERT INTO ids SELECT 'a_public',  vestige_test.memory(pg_temp.m('alice'), 'alice public', 'public');
INSERT INTO ids SELECT 'b_private', vestige_test.memory(pg_temp.m('bob'), 'bob private', 'private');
INSERT INTO ids SELECT 'b_public',  vestige_test.memory(pg_temp.m('bob'), 'bob public', 'public');
INSERT INTO ids SELECT 'c_private', vestige_test.memory(pg_temp.m('carol'), 'carol private', 'private');

-- The hub is Alice's public memory; each edge has its own weight so the order is fixed.
INSERT INTO vestige.edges (source_id, target_id, edge_type, weight) VALUES
    (pg_temp.m('a_public'),  pg_temp.m('a_private'), 'related',  0.9),
    (pg_temp.m('a_public'),  pg_temp.m('a_group'),   'supports', 0.8),
    (pg_temp.m('a_public'),  pg_temp.m('b_public'),  'related',  0.7),
    (pg_temp.m('b_private'), pg_temp.m('a_public'),  'related',  0.6),
    (pg_temp.m('c_private'), pg_temp.m('a_public'),  'cites',    0.5),
    (pg_temp.m('b_public'),  pg_temp.m('a_public'),  'related',  0.4);

SET LOCAL ROLE vestige_app;

-- Alice, the owner of the hub.
SELECT vestige_test.act_as(pg_temp.m('alice'));

SELECT results_eq(
    $$SELECT other_id, direction, edge_type, weight FROM vestige.edges_of(p_memory_id => pg_temp.m('a_public'))$$,
    $$VALUES (pg_temp.m('a_private'), 'out'::text, 'related'::text, 0.9::float8),
             (pg_temp.m('a_group'),   'out', 'supports', 0.8),
             (pg_temp.m('b_public'),  'out', 'related',  0.7),
             (pg_temp.m('b_public'),  'in',  'related',  0.4)$$,
    'the owner should see the edges to her own and public memories, both directions, by weight, but not those from private memories of others');
SELECT results_eq(
    $$SELECT source_id, target_id FROM vestige.edges_of(p_memory_id => pg_temp.m('a_public'), p_direction => 'out')$$,
    $$VALUES (pg_temp.m('a_public'), pg_temp.m('a_private')), (pg_temp.m('a_public'), pg_temp.m('a_group')),
             (pg_temp.m('a_public'), pg_temp.m('b_public'))$$,
    'direction out should return only the outgoing edges');
SELECT results_eq(
    $$SELECT source_id, target_id FROM vestige.edges_of(p_memory_id => pg_temp.m('a_public'), p_direction => 'in')$$,
    $$VALUES (pg_temp.m('b_public'), pg_temp.m('a_public'))$$,
    'direction in should return only the visible incoming edges');
SELECT results_eq(
    $$SELECT other_id, edge_type FROM vestige.edges_of(p_memory_id => pg_temp.m('a_public'), p_edge_type => 'related')$$,
    $$VALUES (pg_temp.m('a_private'), 'related'::text), (pg_temp.m('b_public'), 'related'), (pg_temp.m('b_public'), 'related')$$,
    'an edge type should keep only the edges of that type');
SELECT results_eq(
    $$SELECT other_id, direction FROM vestige.edges_of(p_memory_id => pg_temp.m('a_private'))$$,
    $$VALUES (pg_temp.m('a_public'), 'in'::text)$$,
    'the owner should see the edges of her private memory');
SELECT is_empty(
    $$SELECT * FROM vestige.edges_of(p_memory_id => pg_temp.m('a_group'), p_edge_type => 'cites')$$,
    'a memory without edges of the type should return no row');

-- Bob, a member of the group.
SELECT vestige_test.act_as(pg_temp.m('bob'));

SELECT results_eq(
    $$SELECT other_id, direction, weight FROM vestige.edges_of(p_memory_id => pg_temp.m('a_public'))$$,
    $$VALUES (pg_temp.m('a_group'),   'out'::text, 0.8::float8),
             (pg_temp.m('b_public'),  'out', 0.7),
             (pg_temp.m('b_private'), 'in',  0.6),
             (pg_temp.m('b_public'),  'in',  0.4)$$,
    'a group member should see the edges to group and public memories and his own, not to private memories of Alice');
SELECT results_eq(
    $$SELECT other_id, direction FROM vestige.edges_of(p_memory_id => pg_temp.m('a_group'))$$,
    $$VALUES (pg_temp.m('a_public'), 'in'::text)$$,
    'a group member should see the edges of a group memory');
SELECT throws_ok(
    $$SELECT * FROM vestige.edges_of(p_memory_id => pg_temp.m('a_private'))$$,
    'VS008', NULL, 'a private memory of Alice should be reported as not found to a group member');

-- Carol, a stranger.
SELECT vestige_test.act_as(pg_temp.m('carol'));

SELECT results_eq(
    $$SELECT other_id, direction, weight FROM vestige.edges_of(p_memory_id => pg_temp.m('a_public'))$$,
    $$VALUES (pg_temp.m('b_public'),  'out'::text, 0.7::float8),
             (pg_temp.m('c_private'), 'in',  0.5),
             (pg_temp.m('b_public'),  'in',  0.4)$$,
    'a stranger should see only the edges to public memories and her own');
SELECT results_eq(
    $$SELECT other_id FROM vestige.edges_of(p_memory_id => pg_temp.m('c_private'))$$,
    $$VALUES (pg_temp.m('a_public'))$$,
    'a stranger should see the edges of her own private memory');
SELECT throws_ok(
    $$SELECT * FROM vestige.edges_of(p_memory_id => pg_temp.m('a_group'))$$,
    'VS008', NULL, 'a group memory should be reported as not found to a stranger');
SELECT throws_ok(
    $$SELECT * FROM vestige.edges_of(p_memory_id => pg_temp.m('a_private'))$$,
    'VS008', NULL, 'a private memory should be reported as not found to a stranger');
SELECT throws_ok(
    $$SELECT * FROM vestige.edges_of(p_memory_id => pg_temp.m('b_private'))$$,
    'VS008', NULL, 'a private memory of Bob should be reported as not found to a stranger');

-- Bad input.
SELECT vestige_test.act_as(pg_temp.m('alice'));

SELECT throws_ok(
    $$SELECT * FROM vestige.edges_of(p_memory_id => pg_temp.m('a_public'), p_direction => 'sideways')$$,
    'VS006', NULL, 'an unknown direction should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.edges_of(p_memory_id => pg_temp.m('a_public'), p_direction => NULL)$$,
    'VS006', NULL, 'a NULL direction should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.edges_of(p_memory_id => pg_temp.m('a_public'), p_edge_type => 'Related')$$,
    'VS006', NULL, 'a malformed edge type should be refused');
SELECT throws_ok(
    $$SELECT * FROM vestige.edges_of(p_memory_id => gen_random_uuid())$$,
    'VS008', NULL, 'an unknown memory should be reported as not found');
SELECT throws_ok(
    $$SELECT * FROM vestige.edges_of(p_memory_id => NULL)$$,
    'VS008', NULL, 'a NULL memory id should be reported as not found');

SELECT vestige_test.act_as(NULL);
SELECT throws_ok(
    $$SELECT * FROM vestige.edges_of(p_memory_id => pg_temp.m('a_public'))$$,
    'VS001', NULL, 'a call without caller identity should be refused');

RESET ROLE;
SELECT volatility_is('vestige', 'edges_of', ARRAY['uuid', 'text', 'text'], 'stable',
                     'edges_of should be STABLE: reading edges changes nothing');
SELECT is((SELECT count(*)::int FROM vestige.edges), 6, 'the edges table should be unchanged after the calls');

SELECT * FROM finish();
ROLLBACK;
