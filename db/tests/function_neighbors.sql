-- pgTAP: vestige.neighbors — spreading activation: hops, decay, weight products, cuts, caps,
-- cycles, both directions and visibility at every hop.
BEGIN;
SELECT plan(42);

-- Fixtures (superuser). Alice shares a group with Bob; Carol is a stranger.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
CREATE FUNCTION pg_temp.link(p_source text, p_target text, p_weight double precision DEFAULT 1, p_type text DEFAULT 'related')
RETURNS void LANGUAGE sql AS $$
    INSERT INTO vestige.edges (source_id, target_id, edge_type, weight)
    VALUES (pg_temp.m(p_source), pg_temp.m(p_target), p_type, p_weight)
$$;

INSERT INTO ids VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob')),
                       ('carol', vestige_test.user('carol'));
INSERT INTO ids SELECT 'team', vestige_test.group('team', pg_temp.m('alice'), ARRAY[pg_temp.m('bob')]);

-- A: a chain a0 -> a1 -> a2 -> a3 -> a4, weights 1 (hops and decay).
INSERT INTO ids SELECT 'a' || g, vestige_test.memory(pg_temp.m('alice'), 'chain ' || g) FROM generate_series(0, 4) AS g;
SELECT pg_temp.link('a0', 'a1'), pg_temp.link('a1', 'a2'), pg_temp.link('a2', 'a3'), pg_temp.link('a3', 'a4');

-- B: weights multiply; b4 is reached directly (cites 0.2: 0.14) and through b1 (0.5 * 1 * 0.49 = 0.245).
INSERT INTO ids SELECT 'b' || g, vestige_test.memory(pg_temp.m('alice'), 'product ' || g) FROM generate_series(0, 4) AS g;
SELECT pg_temp.link('b0', 'b1', 0.5), pg_temp.link('b1', 'b2', 0.8), pg_temp.link('b2', 'b3', 0.5),
       pg_temp.link('b0', 'b4', 0.2, 'cites'), pg_temp.link('b1', 'b4', 1.0);

-- C: a cycle c0 -> c1 -> c2 -> c0.
INSERT INTO ids SELECT 'c' || g, vestige_test.memory(pg_temp.m('alice'), 'cycle ' || g) FROM generate_series(0, 2) AS g;
SELECT pg_temp.link('c0', 'c1'), pg_temp.link('c1', 'c2'), pg_temp.link('c2', 'c0');

-- D: a star d0 -> d1..d300 (the 256 cap).
INSERT INTO ids SELECT 'd' || g, vestige_test.memory(pg_temp.m('alice'), 'star ' || g) FROM generate_series(0, 300) AS g;
SELECT pg_temp.link('d0', 'd' || g) FROM generate_series(1, 300) AS g;

-- E: visibility. e0 (public) -> e1 (private) -> e2 (public); e0 -> e3 (group team) -> e4 (public).
INSERT INTO ids SELECT 'e0', vestige_test.memory(pg_temp.m('alice'), 'visibility 0', 'public');
INSERT INTO ids SELECT 'e1', vestige_test.memory(pg_temp.m('alice'), 'visibility 1', 'private');
INSERT INTO ids SELECT 'e2', vestige_test.memory(pg_temp.m('alice'), 'visibility 2', 'public');
INSERT INTO ids SELECT 'e3', vestige_test.memory(pg_temp.m('alice'), 'visibility 3', 'group', ARRAY[pg_temp.m('team')]);
INSERT INTO ids SELECT 'e4', vestige_test.memory(pg_temp.m('alice'), 'visibility 4', 'public');
SELECT pg_temp.link('e0', 'e1'), pg_temp.link('e1', 'e2'), pg_temp.link('e0', 'e3'), pg_temp.link('e3', 'e4');

-- Expected rows are (name, hops, activation), sorted like the function: activation desc, then id.
CREATE FUNCTION pg_temp.expect(p_rows text) RETURNS TABLE (id uuid, hops integer, activation numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT pg_temp.m(v.name), v.hops, v.activation::numeric FROM (VALUES %s) AS v (name, hops, activation)
          ORDER BY 3 DESC, 1', p_rows);
END $$;

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('alice'));

-- Hops and decay.
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_depth => 1)$$,
    $$SELECT * FROM pg_temp.expect($v$('a1', 1, 0.7)$v$)$$,
    'depth 1 should reach only the direct neighbour, at activation 0.7');
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'))$$,
    $$SELECT * FROM pg_temp.expect($v$('a1', 1, 0.7), ('a2', 2, 0.49)$v$)$$,
    'the default depth should be 2 hops, decaying 0.7 per hop');
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_depth => 3)$$,
    $$SELECT * FROM pg_temp.expect($v$('a1', 1, 0.7), ('a2', 2, 0.49), ('a3', 3, 0.343)$v$)$$,
    'depth 3 should reach three hops at 0.7, 0.49 and 0.343 and never a fourth');
SELECT is(
    (SELECT path FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_depth => 3) AS n WHERE n.id = pg_temp.m('a3')),
    ARRAY[pg_temp.m('a0'), pg_temp.m('a1'), pg_temp.m('a2'), pg_temp.m('a3')],
    'the path should run from the start to the node');
SELECT results_eq(
    $$SELECT content, node_type FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_depth => 1)$$,
    $$VALUES ('chain 1'::text, 'fact'::text)$$,
    'a neighbour should come with its content and node type');
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('a4'))$$,
    $$SELECT * FROM pg_temp.expect($v$('a3', 1, 0.7), ('a2', 2, 0.49)$v$)$$,
    'the walk should follow incoming edges too');
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('a2'), p_depth => 3)$$,
    $$SELECT * FROM pg_temp.expect($v$('a1', 1, 0.7), ('a3', 1, 0.7), ('a0', 2, 0.49), ('a4', 2, 0.49)$v$)$$,
    'the walk should spread both ways, ties ordered by id');
SELECT ok(
    NOT EXISTS (SELECT FROM vestige.neighbors(p_memory_id => pg_temp.m('a2'), p_depth => 3) AS n WHERE n.id = pg_temp.m('a2')),
    'the start node should not be returned');

-- Products of weights, best path, minimum activation, edge types.
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('b0'), p_depth => 3)$$,
    $$SELECT * FROM pg_temp.expect($v$('b1', 1, 0.35), ('b4', 2, 0.245), ('b2', 2, 0.196)$v$)$$,
    'activation should be the product of the weights times 0.7 per hop, cut below 0.1 by default');
SELECT is(
    (SELECT path FROM vestige.neighbors(p_memory_id => pg_temp.m('b0'), p_depth => 3) AS n WHERE n.id = pg_temp.m('b4')),
    ARRAY[pg_temp.m('b0'), pg_temp.m('b1'), pg_temp.m('b4')],
    'a node should keep its best path (two strong hops beat one weak edge), with that path''s hop count');
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('b0'), p_depth => 3, p_min_activation => 0.05)$$,
    $$SELECT * FROM pg_temp.expect($v$('b1', 1, 0.35), ('b4', 2, 0.245), ('b2', 2, 0.196), ('b3', 3, 0.0686)$v$)$$,
    'a lower minimum activation should let the weak third hop through');
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('b0'), p_depth => 3, p_min_activation => 0.2)$$,
    $$SELECT * FROM pg_temp.expect($v$('b1', 1, 0.35), ('b4', 2, 0.245)$v$)$$,
    'nodes below the minimum activation should be cut, and not walked through');
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('b0'), p_depth => 3, p_edge_types => '{cites}')$$,
    $$SELECT * FROM pg_temp.expect($v$('b4', 1, 0.14)$v$)$$,
    'edge types should restrict the walk to edges of those types');
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('b0'), p_depth => 1, p_edge_types => '{related,cites}')$$,
    $$SELECT * FROM pg_temp.expect($v$('b1', 1, 0.35), ('b4', 1, 0.14)$v$)$$,
    'several edge types should all be walked');

-- Cycles and the caps.
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('c0'), p_depth => 3)$$,
    $$SELECT * FROM pg_temp.expect($v$('c1', 1, 0.7), ('c2', 1, 0.7)$v$)$$,
    'a cycle should end: each node once, at its best activation');
SELECT ok(
    (SELECT bool_and(cardinality(n.path) = (SELECT count(DISTINCT x) FROM unnest(n.path) AS x))
       FROM vestige.neighbors(p_memory_id => pg_temp.m('c0'), p_depth => 3, p_min_activation => 0) AS n),
    'no path should visit a node twice');
SELECT is(
    (SELECT count(*)::int FROM vestige.neighbors(p_memory_id => pg_temp.m('d0'), p_depth => 1)),
    256, 'at most 256 nodes should be returned by default');
SELECT is(
    (SELECT count(*)::int FROM vestige.neighbors(p_memory_id => pg_temp.m('d1'), p_depth => 2, p_min_activation => 0)),
    256, 'at most 256 nodes should be returned from a deeper walk too');
SELECT results_eq(
    $$SELECT id FROM vestige.neighbors(p_memory_id => pg_temp.m('d0'), p_depth => 1, p_limit => 10)$$,
    $$SELECT i.id FROM ids AS i WHERE i.name ~ '^d[0-9]+$' AND i.name <> 'd0' ORDER BY i.id LIMIT 10$$,
    'p_limit should keep the first nodes by activation, then id');

-- Visibility: Alice (owner).
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('e0'))$$,
    $$SELECT * FROM pg_temp.expect($v$('e1', 1, 0.7), ('e3', 1, 0.7), ('e2', 2, 0.49), ('e4', 2, 0.49)$v$)$$,
    'the owner should walk through her private, group and public memories');
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('e1'), p_depth => 1)$$,
    $$SELECT * FROM pg_temp.expect($v$('e0', 1, 0.7), ('e2', 1, 0.7)$v$)$$,
    'the owner should walk from her private memory');

-- Bob, a member of the group.
SELECT vestige_test.act_as(pg_temp.m('bob'));
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('e0'), p_depth => 3)$$,
    $$SELECT * FROM pg_temp.expect($v$('e3', 1, 0.7), ('e4', 2, 0.49)$v$)$$,
    'a group member should walk through a group memory, while an invisible middle node blocks the path to a public one');
SELECT results_eq(
    $$SELECT id, hops, round(activation::numeric, 12) FROM vestige.neighbors(p_memory_id => pg_temp.m('e3'), p_depth => 3)$$,
    $$SELECT * FROM pg_temp.expect($v$('e0', 1, 0.7), ('e4', 1, 0.7)$v$)$$,
    'a group member should walk from a group memory');
SELECT throws_ok(
    $$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('e1'))$$,
    'VS008', NULL, 'a private memory of Alice should be reported as not found to a group member');

-- Carol, a stranger.
SELECT vestige_test.act_as(pg_temp.m('carol'));
SELECT is_empty(
    $$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('e0'), p_depth => 3)$$,
    'a stranger should reach nothing when every path passes a private or group memory');
SELECT is_empty(
    $$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('e4'), p_depth => 3)$$,
    'a stranger should not walk through a group memory');
SELECT throws_ok(
    $$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('e3'))$$,
    'VS008', NULL, 'a group memory should be reported as not found to a stranger');
SELECT throws_ok(
    $$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'))$$,
    'VS008', NULL, 'a private memory should be reported as not found to a stranger');

-- Bad input.
SELECT vestige_test.act_as(pg_temp.m('alice'));
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_depth => 0)$$,
                 'VS006', NULL, 'depth 0 should be refused');
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_depth => 4)$$,
                 'VS006', NULL, 'depth 4 should be refused: at most 3 hops');
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_depth => NULL)$$,
                 'VS006', NULL, 'a NULL depth should be refused');
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_limit => 0)$$,
                 'VS006', NULL, 'limit 0 should be refused');
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_limit => 257)$$,
                 'VS006', NULL, 'limit 257 should be refused: at most 256 nodes');
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_min_activation => -0.1)$$,
                 'VS006', NULL, 'a negative minimum activation should be refused');
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_min_activation => 1.5)$$,
                 'VS006', NULL, 'a minimum activation above 1 should be refused');
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_min_activation => NULL)$$,
                 'VS006', NULL, 'a NULL minimum activation should be refused');
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_edge_types => '{}')$$,
                 'VS006', NULL, 'an empty list of edge types should be refused');
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'), p_edge_types => '{related,Bad}')$$,
                 'VS006', NULL, 'a malformed edge type should be refused');
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => gen_random_uuid())$$,
                 'VS008', NULL, 'an unknown start memory should be reported as not found');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.neighbors(p_memory_id => pg_temp.m('a0'))$$,
                 'VS001', NULL, 'a call without caller identity should be refused');

RESET ROLE;
SELECT volatility_is('vestige', 'neighbors', ARRAY['uuid', 'integer', 'text[]', 'double precision', 'integer'], 'stable',
                     'neighbors should be STABLE: a walk changes nothing');
SELECT ok(
    obj_description('vestige.neighbors(uuid, integer, text[], double precision, integer)'::regprocedure, 'pg_proc')
        ~ '0\.7 per hop' AND
    obj_description('vestige.neighbors(uuid, integer, text[], double precision, integer)'::regprocedure, 'pg_proc')
        ~ '1-3' AND
    obj_description('vestige.neighbors(uuid, integer, text[], double precision, integer)'::regprocedure, 'pg_proc')
        ~ '1-256',
    'the comment should document the decay (0.7 per hop), the hop bound (3) and the node cap (256)');

SELECT * FROM finish();
ROLLBACK;
