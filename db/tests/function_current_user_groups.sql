-- pgTAP: vestige.current_user_groups — the caller's groups, sorted; fails closed.
BEGIN;
SELECT plan(9);

-- Fixtures (superuser). A is admin of three groups, B a member of one, C of none.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;

INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g1', vestige_test.group('g1', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'g2', vestige_test.group('g2', pg_temp.m('a'));
INSERT INTO ids SELECT 'g3', vestige_test.group('g3', pg_temp.m('a'));

SET LOCAL ROLE vestige_app;

SELECT throws_ok($$SELECT vestige.current_user_groups()$$, 'VS001', NULL, 'current_user_groups without identity should raise VS001');
SELECT set_config('vestige.user_id', gen_random_uuid()::text, true);
SELECT throws_ok($$SELECT vestige.current_user_groups()$$, 'VS011', NULL, 'current_user_groups for an unknown user should raise VS011');

SELECT vestige_test.act_as(pg_temp.m('a'));
SELECT is(vestige.current_user_groups(),
          ARRAY(SELECT id FROM ids WHERE name IN ('g1', 'g2', 'g3') ORDER BY id),
          'the caller''s groups should be listed sorted by id');
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT is(vestige.current_user_groups(), ARRAY[pg_temp.m('g1')], 'a plain member should get the group they belong to');
SELECT vestige_test.act_as(pg_temp.m('c'));
SELECT is(vestige.current_user_groups(), '{}'::uuid[], 'a user in no group should get an empty array, not NULL');
SELECT vestige_test.act_as('00000000-0000-0000-0000-000000000001');
SELECT is(vestige.current_user_groups(), '{}'::uuid[], 'the bootstrap local user should belong to no group');

-- Membership changes are seen at once.
RESET ROLE;
DELETE FROM vestige.group_memberships WHERE group_id = vestige_test.group_id('g1') AND user_id = vestige_test.user('b');
INSERT INTO vestige.group_memberships (group_id, user_id) VALUES (vestige_test.group_id('g3'), vestige_test.user('b'));
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(pg_temp.m('b'));
SELECT is(vestige.current_user_groups(), ARRAY[pg_temp.m('g3')], 'after leaving g1 and joining g3, B should get only g3');

SELECT ok(has_function_privilege('vestige_app', 'vestige.current_user_groups()', 'EXECUTE'),
          'vestige_app should be allowed to execute current_user_groups');
SELECT ok(NOT has_table_privilege('vestige_app', 'vestige.group_memberships', 'SELECT'),
          'vestige_app should not read group_memberships directly; current_user_groups reads them as definer');

SELECT * FROM finish();
ROLLBACK;
