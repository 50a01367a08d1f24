-- pgTAP: vestige.add_group_member lets group admins add users or change their role; members,
-- strangers and bad input are refused and change nothing. A new member sees the group's memories.
BEGIN;
SELECT plan(20);

CREATE TEMP TABLE fx (name text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.fx(p_name text) RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.fx WHERE name = p_name $$;
GRANT SELECT ON fx TO vestige_app;
INSERT INTO fx VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob')),
                      ('carol', vestige_test.user('carol')), ('dave', vestige_test.user('dave'));
INSERT INTO fx VALUES ('team', vestige_test.group('team', pg_temp.fx('alice'), ARRAY[pg_temp.fx('bob')]));
INSERT INTO fx VALUES ('shared', vestige_test.memory(pg_temp.fx('alice'), 'the team meets on Mondays', 'group', ARRAY[pg_temp.fx('team')]));

SELECT is_definer('vestige', 'add_group_member', ARRAY['uuid', 'uuid', 'text'],
                  'add_group_member should be SECURITY DEFINER');

SET LOCAL ROLE vestige_app;

SELECT throws_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('dave'))$$,
                 'VS001', NULL, 'add_group_member without a caller identity should raise VS001');

SELECT vestige_test.act_as(pg_temp.fx('dave'));
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes WHERE id = pg_temp.fx('shared')), 0::bigint,
          'a group memory should not be visible to a stranger before they join');

-- Admin adds a member, promotes and demotes them.
SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT lives_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('dave'))$$,
                'an admin should add a user to the group');
SELECT vestige_test.act_as(pg_temp.fx('dave'));
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes WHERE id = pg_temp.fx('shared')), 1::bigint,
          'a group memory should be visible to the new member');
SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT lives_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('dave'), p_role => 'admin')$$,
                'an admin should make an existing member admin');
RESET ROLE;
SELECT is((SELECT role FROM vestige.group_memberships WHERE group_id = pg_temp.fx('team') AND user_id = pg_temp.fx('dave')),
          'admin', 'the existing member should have the new role, not a second row');
SET LOCAL ROLE vestige_app;
SELECT lives_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('dave'))$$,
                'an admin should demote another admin to member while an admin remains');

-- Refusals.
SELECT vestige_test.act_as(pg_temp.fx('bob'));
SELECT throws_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('carol'))$$,
                 'VS010', NULL, 'a member who is not admin should not add members (VS010)');
SELECT throws_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('bob'), p_role => 'admin')$$,
                 'VS010', NULL, 'a member should not promote themself (VS010)');
SELECT vestige_test.act_as(pg_temp.fx('carol'));
SELECT throws_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('carol'))$$,
                 'VS010', NULL, 'a stranger should not add themself (VS010)');
SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT throws_ok($$SELECT vestige.add_group_member(p_group_id => gen_random_uuid(), p_user_id => pg_temp.fx('carol'))$$,
                 'VS008', NULL, 'a missing group should raise VS008');
SELECT throws_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => gen_random_uuid())$$,
                 'VS011', NULL, 'an unknown user should raise VS011');
SELECT throws_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('carol'), p_role => 'owner')$$,
                 'VS006', NULL, 'an unknown role should raise VS006');
SELECT throws_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('carol'), p_role => NULL)$$,
                 'VS006', NULL, 'a NULL role should raise VS006');
SELECT throws_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('alice'))$$,
                 'VS013', NULL, 'demoting the last admin should raise VS013');
SELECT throws_ok($$INSERT INTO vestige.group_memberships (group_id, user_id) VALUES (pg_temp.fx('team'), pg_temp.fx('carol'))$$,
                 '42501', NULL, 'vestige_app should not write memberships directly');

SELECT vestige_test.act_as(pg_temp.fx('carol'));
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes WHERE id = pg_temp.fx('shared')), 0::bigint,
          'a group memory should stay invisible to the stranger after the refused calls');

RESET ROLE;
SELECT set_eq(
    $$SELECT user_id, role FROM vestige.group_memberships WHERE group_id = pg_temp.fx('team')$$,
    $$VALUES (pg_temp.fx('alice'), 'admin'), (pg_temp.fx('bob'), 'member'), (pg_temp.fx('dave'), 'member')$$,
    'the membership should hold only the accepted changes');
SELECT is((SELECT count(*) FROM vestige.group_memberships), 3::bigint,
          'no other membership should have been created');

SELECT * FROM finish();
ROLLBACK;
