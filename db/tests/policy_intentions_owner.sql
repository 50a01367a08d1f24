-- pgTAP: row-level security on vestige.intentions — each user reads and writes only their own
-- intentions, for SELECT, INSERT, UPDATE and DELETE.
BEGIN;
SELECT plan(22);

-- Fixtures (superuser). A has two intentions, B one (B is in a group with A: groups do not
-- share intentions); C has none. Intentions are written directly.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
-- The number of rows a statement affects (as the current role).
CREATE FUNCTION pg_temp.affected(p_sql text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_rows integer;
BEGIN
    EXECUTE p_sql;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END
$$;
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT md5(string_agg(i::text, ',' ORDER BY i.id)) FROM vestige.intentions AS i
$$;
CREATE FUNCTION pg_temp.snapshot() RETURNS void
LANGUAGE sql AS $$ SELECT set_config('tap.state', pg_temp.state(), true) $$;
CREATE FUNCTION pg_temp.unchanged() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT pg_temp.state() = current_setting('tap.state') $$;
CREATE FUNCTION pg_temp.intention(p_id uuid) RETURNS vestige.intentions
LANGUAGE sql STABLE SECURITY DEFINER AS $$ SELECT * FROM vestige.intentions AS i WHERE i.id = p_id $$;

INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
WITH i AS (
    INSERT INTO vestige.intentions (owner_user_id, content) VALUES
        (pg_temp.m('a'), 'call the dentist'), (pg_temp.m('a'), 'review the PR'), (pg_temp.m('b'), 'buy milk')
    RETURNING id, content)
INSERT INTO ids SELECT CASE content WHEN 'call the dentist' THEN 'a_1' WHEN 'review the PR' THEN 'a_2' ELSE 'b_1' END, id FROM i;

SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'vestige.intentions'::regclass), 'row-level security should be enabled on intentions');
SELECT policies_are('vestige', 'intentions', ARRAY['intentions_owner'], 'intentions should have only the owner policy');

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

-- INSERT: only for oneself.
SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT pg_temp.snapshot();
SELECT throws_ok(format($$INSERT INTO vestige.intentions (owner_user_id, content) VALUES (%L, 'forged')$$, pg_temp.m('b')),
                 '42501', NULL, 'inserting an intention for another user should be refused by row-level security (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused forged intention should store nothing');
SELECT throws_ok($$INSERT INTO vestige.intentions (content) VALUES ('default owner')$$,
                 '42501', NULL, 'inserting without owner_user_id (the bootstrap user by default) should be refused (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused default-owner intention should store nothing');
SELECT is(pg_temp.affected(format($$INSERT INTO vestige.intentions (owner_user_id, content) VALUES (%L, 'water plants')$$, pg_temp.m('a'))),
          1, 'inserting an intention for oneself should be allowed');

-- UPDATE and DELETE of another user's intention affect nothing.
SELECT pg_temp.snapshot();
SELECT is(pg_temp.affected(format($$UPDATE vestige.intentions SET status = 'cancelled' WHERE id = %L$$, pg_temp.m('b_1'))),
          0, 'A updating B''s intention should affect 0 rows');
SELECT ok(pg_temp.unchanged(), 'A''s UPDATE of B''s intention should change nothing');
SELECT is(pg_temp.affected(format($$DELETE FROM vestige.intentions WHERE id = %L$$, pg_temp.m('b_1'))),
          0, 'A deleting B''s intention should affect 0 rows');
SELECT ok(pg_temp.unchanged(), 'A''s DELETE of B''s intention should remove nothing');
SELECT throws_ok(format($$UPDATE vestige.intentions SET owner_user_id = %L WHERE id = %L$$, pg_temp.m('b'), pg_temp.m('a_1')),
                 '42501', NULL, 'handing one''s intention to another user should be refused by row-level security (42501)');
SELECT ok(pg_temp.unchanged(), 'the refused owner change should change nothing');

-- The owner's own writes.
SELECT is(pg_temp.affected($$UPDATE vestige.intentions SET status = 'fulfilled'$$), 3,
          'an unfiltered UPDATE by A should reach only A''s three intentions');
SELECT is((pg_temp.intention(pg_temp.m('b_1'))).status, 'active', 'B''s intention should stay active');
SELECT is(pg_temp.affected(format($$DELETE FROM vestige.intentions WHERE id = %L$$, pg_temp.m('a_1'))),
          1, 'A deleting their own intention should affect 1 row');
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT is(pg_temp.affected($$DELETE FROM vestige.intentions$$), 1, 'an unfiltered DELETE by B should remove only B''s intention');
SELECT is((pg_temp.intention(pg_temp.m('a_2'))).content, 'review the PR', 'A''s other intention should survive B''s DELETE');

SELECT * FROM finish();
ROLLBACK;
