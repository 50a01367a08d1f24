-- pgTAP: row-level security on vestige.scheduling — a scheduling row is visible to vestige_app
-- exactly when its memory is; vestige_app cannot write it directly.
BEGIN;
SELECT plan(13);

-- Fixtures (superuser). A owns a private, a group (G) and a public memory; B is in G and owns a
-- private memory; C is a stranger. insert_memory (through vestige_test.memory) creates the
-- scheduling rows.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT md5(string_agg(s::text, ',' ORDER BY s.memory_id)) FROM vestige.scheduling AS s
$$;
CREATE FUNCTION pg_temp.snapshot() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('tap.state', pg_temp.state(), true) $$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_temp.state() = current_setting('tap.state') $$;

INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'a_private', vestige_test.memory(pg_temp.m('a'), 'a private');
INSERT INTO ids SELECT 'a_group',   vestige_test.memory(pg_temp.m('a'), 'a group', 'group', ARRAY[pg_temp.m('g')]);
INSERT INTO ids SELECT 'a_public',  vestige_test.memory(pg_temp.m('a'), 'a public', 'public');
INSERT INTO ids SELECT 'b_private', vestige_test.memory(pg_temp.m('b'), 'b private');

SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'vestige.scheduling'::regclass), 'row-level security should be enabled on scheduling');
SELECT policies_are('vestige', 'scheduling', ARRAY['scheduling_select'], 'scheduling should have only the select policy');

SET LOCAL ROLE vestige_app;

SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT set_eq($$SELECT memory_id FROM vestige.scheduling$$,
              $$SELECT id FROM ids WHERE name IN ('a_private', 'a_group', 'a_public')$$,
              'the owner should see the scheduling rows of their memories, not of B''s private one');
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT set_eq($$SELECT memory_id FROM vestige.scheduling$$,
              $$SELECT id FROM ids WHERE name IN ('a_group', 'a_public', 'b_private')$$,
              'a group member should see the scheduling rows of the group, public and own memories');
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT set_eq($$SELECT memory_id FROM vestige.scheduling$$,
              $$SELECT id FROM ids WHERE name = 'a_public'$$,
              'a stranger should see only the scheduling row of the public memory');

-- Visibility follows the memory: once shared, its scheduling row shows.
RESET ROLE;
UPDATE vestige.knowledge_nodes SET visibility = 'public' WHERE id = pg_temp.m('b_private');
SET LOCAL ROLE vestige_app;
SELECT set_eq($$SELECT memory_id FROM vestige.scheduling$$,
              $$SELECT id FROM ids WHERE name IN ('a_public', 'b_private')$$,
              'when a memory becomes public its scheduling row should become visible to the stranger');

SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT count(*) FROM vestige.scheduling$$, 'VS001', NULL, 'reading scheduling without identity should raise VS001');

-- No direct writes.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT pg_temp.snapshot();
SELECT throws_ok(format($$UPDATE vestige.scheduling SET next_review = now() + interval '1 year' WHERE memory_id = %L$$, pg_temp.m('a_private')),
                 '42501', NULL, 'vestige_app should not update scheduling directly, even for its own memory (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused scheduling update should change nothing');
SELECT throws_ok(format($$INSERT INTO vestige.scheduling (memory_id) VALUES (%L)$$, pg_temp.m('a_private')),
                 '42501', NULL, 'vestige_app should not insert scheduling rows directly (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused scheduling insert should change nothing');
SELECT throws_ok(format($$DELETE FROM vestige.scheduling WHERE memory_id = %L$$, pg_temp.m('a_private')),
                 '42501', NULL, 'vestige_app should not delete scheduling rows directly (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused scheduling delete should change nothing');

SELECT * FROM finish();
ROLLBACK;
