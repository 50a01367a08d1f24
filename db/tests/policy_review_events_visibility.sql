-- pgTAP: row-level security on vestige.review_events — a review event is visible to vestige_app
-- exactly when its memory is; vestige_app cannot write the log directly.
BEGIN;
SELECT plan(11);

-- Fixtures (superuser). A owns a private, a group (G) and a public memory; B is in G and owns a
-- private memory; C is a stranger. Review events are written directly.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT md5(string_agg(r::text, ',' ORDER BY r.id)) FROM vestige.review_events AS r
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
INSERT INTO vestige.review_events (memory_id, rating, prior_state, new_state)
SELECT i.id, r, '{}', '{}' FROM ids AS i, generate_series(1, 2) AS r
 WHERE i.name IN ('a_private', 'a_group', 'a_public', 'b_private');

SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'vestige.review_events'::regclass), 'row-level security should be enabled on review_events');
SELECT policies_are('vestige', 'review_events', ARRAY['review_events_select'], 'review_events should have only the select policy');

SET LOCAL ROLE vestige_app;

SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT bag_eq($$SELECT memory_id FROM vestige.review_events$$,
              $$SELECT id FROM ids, generate_series(1, 2) WHERE name IN ('a_private', 'a_group', 'a_public')$$,
              'the owner should see both review events of each of their memories, none of B''s private one');
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT bag_eq($$SELECT memory_id FROM vestige.review_events$$,
              $$SELECT id FROM ids, generate_series(1, 2) WHERE name IN ('a_group', 'a_public', 'b_private')$$,
              'a group member should see the review events of the group, public and own memories');
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT bag_eq($$SELECT memory_id FROM vestige.review_events$$,
              $$SELECT id FROM ids, generate_series(1, 2) WHERE name = 'a_public'$$,
              'a stranger should see only the review events of the public memory');

-- Visibility follows the memory: once made private, its events disappear for others.
RESET ROLE;
UPDATE vestige.knowledge_nodes SET visibility = 'private' WHERE id = pg_temp.m('a_public');
SET LOCAL ROLE vestige_app;
SELECT is_empty($$SELECT 1 FROM vestige.review_events$$, 'when the public memory becomes private the stranger should see no review event');

SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT count(*) FROM vestige.review_events$$, 'VS001', NULL, 'reading review_events without identity should raise VS001');

-- No direct writes: the log is written by review() only.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT pg_temp.snapshot();
SELECT throws_ok(format($$INSERT INTO vestige.review_events (memory_id, rating, prior_state, new_state) VALUES (%L, 4, '{}', '{}')$$, pg_temp.m('a_private')),
                 '42501', NULL, 'vestige_app should not append review events directly, even for its own memory (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused review event insert should change nothing');
SELECT throws_ok(format($$DELETE FROM vestige.review_events WHERE memory_id = %L$$, pg_temp.m('a_private')),
                 '42501', NULL, 'vestige_app should not delete review events directly (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused review event delete should change nothing');

SELECT * FROM finish();
ROLLBACK;
