-- pgTAP: row-level security on vestige.intentions — each user reads only their own intentions;
-- no one writes them directly.
BEGIN;
SELECT plan(11);

-- Fixtures (superuser). A has two intentions, B one (B is in a group with A: groups do not
-- share intentions); C has none. Intentions are written directly.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT md5(string_agg(i::text, ',' ORDER BY i.id)) FROM vestige.intentions AS i
$$;
CREATE FUNCTION pg_temp.snapshot() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('tap.state', pg_temp.state(), true) $$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_temp.state() = current_setting('tap.state') $$;

INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
WITH i AS (
    INSERT INTO vestige.intentions (owner_user_id, content) VALUES
        (pg_temp.m('a'), 'call the dentist'), (pg_temp.m('a'), 'review the PR'), (pg_temp.m('b'), 'buy milk')
    RETURNING id, content)
INSERT INTO ids SELECT CASE content WHEN 'call the dentist' THEN 'a_1' WHEN 'review the PR' THEN 'a_2' ELSE 'b_1' END, id FROM i;

SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'vestige.intentions'::regclass), 'row-level security should be enabled on intentions');
SELECT policies_are('vestige', 'intentions', ARRAY['intentions_select'], 'intentions should have only the select policy');

SET LOCAL ROLE vestige_app;

-- SELECT.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT set_eq($$SELECT id FROM vestige.intentions$$, $$SELECT id FROM ids WHERE name IN ('a_1', 'a_2')$$,
              'A should see exactly their own two intentions');
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT set_eq($$SELECT id FROM vestige.intentions$$, $$SELECT id FROM ids WHERE name = 'b_1'$$,
              'B should see only their own intention, not those of A with whom they share a group');
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT is_empty($$SELECT 1 FROM vestige.intentions$$, 'C, who has none, should see no intention');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT count(*) FROM vestige.intentions$$, 'VS001', NULL, 'reading intentions without identity should raise VS001');

-- Writes: none directly, not even to one's own intentions (set_intention and update_intention
-- are the way in).
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT pg_temp.snapshot();
SELECT throws_ok(format($$INSERT INTO vestige.intentions (owner_user_id, content) VALUES (%L, 'water plants')$$, pg_temp.m('a')),
                 '42501', NULL, 'inserting even an own intention directly should be refused (42501)');
SELECT throws_ok(format($$UPDATE vestige.intentions SET status = 'fulfilled' WHERE id = %L$$, pg_temp.m('a_1')),
                 '42501', NULL, 'updating even an own intention directly should be refused (42501)');
SELECT throws_ok(format($$DELETE FROM vestige.intentions WHERE id = %L$$, pg_temp.m('a_1')),
                 '42501', NULL, 'deleting even an own intention directly should be refused (42501)');
SELECT throws_ok(format($$UPDATE vestige.intentions SET status = 'cancelled' WHERE id = %L$$, pg_temp.m('b_1')),
                 '42501', NULL, 'updating another user''s intention directly should be refused (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused writes should change nothing');

SELECT * FROM finish();
ROLLBACK;
