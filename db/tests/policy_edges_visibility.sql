-- pgTAP: row-level security on vestige.edges — an edge is visible to vestige_app only when both
-- of its memories are; vestige_app cannot write edges directly.
BEGIN;
SELECT plan(12);

-- Fixtures (superuser). A owns a private, a group (G) and a public memory; B is in G and owns a
-- private memory; C is a stranger with a private and a public memory. Edges are written directly.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT md5(string_agg(e::text, ',' ORDER BY e.source_id, e.target_id, e.edge_type)) FROM vestige.edges AS e
$$;
CREATE FUNCTION pg_temp.snapshot() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('tap.state', pg_temp.state(), true) $$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_temp.state() = current_setting('tap.state') $$;
CREATE TEMP TABLE edge_names (source text, target text);
-- The visible edges, by the names of their ends.
CREATE FUNCTION pg_temp.visible_edges() RETURNS TABLE (source text, target text)
LANGUAGE sql STABLE AS $$
    SELECT s.name, t.name FROM vestige.edges AS e JOIN ids AS s ON s.id = e.source_id JOIN ids AS t ON t.id = e.target_id
$$;

INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'a_private', vestige_test.memory(pg_temp.m('a'), 'a private');
INSERT INTO ids SELECT 'a_group',   vestige_test.memory(pg_temp.m('a'), 'a group', 'group', ARRAY[pg_temp.m('g')]);
INSERT INTO ids SELECT 'a_public',  vestige_test.memory(pg_temp.m('a'), 'a public', 'public');
INSERT INTO ids SELECT 'b_private', vestige_test.memory(pg_temp.m('b'), 'b private');
INSERT INTO ids SELECT 'c_private', vestige_test.memory(pg_temp.m('c'), 'c private');
INSERT INTO ids SELECT 'c_public',  vestige_test.memory(pg_temp.m('c'), 'c public', 'public');
INSERT INTO edge_names VALUES
    ('a_private', 'a_public'), ('a_private', 'a_group'), ('a_group', 'a_public'), ('a_public', 'c_public'),
    ('a_group', 'b_private'), ('c_private', 'a_public'), ('b_private', 'c_private');
INSERT INTO vestige.edges (source_id, target_id) SELECT pg_temp.m(source), pg_temp.m(target) FROM edge_names;

SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'vestige.edges'::regclass), 'row-level security should be enabled on edges');
SELECT policies_are('vestige', 'edges', ARRAY['edges_select'], 'edges should have only the select policy');

SET LOCAL ROLE vestige_app;

SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT set_eq($$SELECT * FROM pg_temp.visible_edges()$$,
              $$VALUES ('a_private', 'a_public'), ('a_private', 'a_group'), ('a_group', 'a_public'), ('a_public', 'c_public')$$,
              'the owner should see the edges between memories they can see, not those touching B''s or C''s private ones');
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT set_eq($$SELECT * FROM pg_temp.visible_edges()$$,
              $$VALUES ('a_group', 'a_public'), ('a_public', 'c_public'), ('a_group', 'b_private')$$,
              'a group member should see edges among the group, public and own memories, not those touching A''s private one');
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT set_eq($$SELECT * FROM pg_temp.visible_edges()$$,
              $$VALUES ('a_public', 'c_public'), ('c_private', 'a_public')$$,
              'a stranger should see only edges between public and own memories');
SELECT is((SELECT count(*)::int FROM vestige.edges WHERE source_id = pg_temp.m('b_private') OR target_id = pg_temp.m('b_private')), 0,
          'an edge from an invisible memory to one of the caller''s own should stay hidden');

-- Visibility follows both ends.
RESET ROLE;
UPDATE vestige.knowledge_nodes SET visibility = 'public' WHERE id = pg_temp.m('b_private');
SET LOCAL ROLE vestige_app;
SELECT set_eq($$SELECT * FROM pg_temp.visible_edges()$$,
              $$VALUES ('a_public', 'c_public'), ('c_private', 'a_public'), ('b_private', 'c_private')$$,
              'when B''s memory becomes public its edge to the stranger''s memory should show, the one from A''s group memory not');

SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT count(*) FROM vestige.edges$$, 'VS001', NULL, 'reading edges without identity should raise VS001');

-- No direct writes: edges are written by add_edge and remove_edge.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT pg_temp.snapshot();
SELECT throws_ok(format($$INSERT INTO vestige.edges (source_id, target_id) VALUES (%L, %L)$$, pg_temp.m('a_public'), pg_temp.m('a_private')),
                 '42501', NULL, 'vestige_app should not insert edges directly, even between its own memories (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused edge insert should change nothing');
SELECT throws_ok(format($$DELETE FROM vestige.edges WHERE source_id = %L$$, pg_temp.m('a_private')),
                 '42501', NULL, 'vestige_app should not delete edges directly (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused edge delete should change nothing');

SELECT * FROM finish();
ROLLBACK;
