-- pgTAP: vestige.remove_group_member: admins remove anyone, members leave, the last admin
-- stays; memories stay shared with the group and a removed member stops seeing them.
BEGIN;
SELECT plan(26);

CREATE TEMP TABLE fx (name text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.fx(p_name text) RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.fx WHERE name = p_name $$;
GRANT SELECT ON fx TO vestige_app;
INSERT INTO fx VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob')),
                      ('carol', vestige_test.user('carol')), ('dave', vestige_test.user('dave')),
                      ('erin', vestige_test.user('erin'));
INSERT INTO fx VALUES ('team', vestige_test.group('team', pg_temp.fx('alice'),
                                                  ARRAY[pg_temp.fx('bob'), pg_temp.fx('carol'), pg_temp.fx('erin')]));
INSERT INTO fx VALUES ('by_alice', vestige_test.memory(pg_temp.fx('alice'), 'the team meets on Mondays', 'group', ARRAY[pg_temp.fx('team')])),
                      ('by_bob', vestige_test.memory(pg_temp.fx('bob'), 'the build runs at night', 'group', ARRAY[pg_temp.fx('team')])),
                      ('bob_private', vestige_test.memory(pg_temp.fx('bob'), 'my own notes')),
                      ('public', vestige_test.memory(pg_temp.fx('alice'), 'the office is in Lyon', 'public'));

SELECT is_definer('vestige', 'remove_group_member', ARRAY['uuid', 'uuid'],
                  'remove_group_member should be SECURITY DEFINER');

SET LOCAL ROLE vestige_app;

SELECT throws_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('bob'))$$,
                 'VS001', NULL, 'remove_group_member without a caller identity should raise VS001');

SELECT vestige_test.act_as(pg_temp.fx('bob'));
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes$$,
              ARRAY[pg_temp.fx('by_alice'), pg_temp.fx('by_bob'), pg_temp.fx('bob_private'), pg_temp.fx('public')],
              'a member should see the group memories before leaving');

-- Refusals.
SELECT vestige_test.act_as(pg_temp.fx('dave'));
SELECT throws_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('bob'))$$,
                 'VS010', NULL, 'a stranger should not remove a member (VS010)');
SELECT throws_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('dave'))$$,
                 'VS008', NULL, 'a stranger leaving a group they are not in should raise VS008');
SELECT vestige_test.act_as(pg_temp.fx('bob'));
SELECT throws_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('carol'))$$,
                 'VS010', NULL, 'a member should not remove another member (VS010)');
SELECT throws_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('alice'))$$,
                 'VS010', NULL, 'a member should not remove an admin (VS010)');
SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT throws_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('dave'))$$,
                 'VS008', NULL, 'removing a user who is not a member should raise VS008');
SELECT throws_ok($$SELECT vestige.remove_group_member(p_group_id => gen_random_uuid(), p_user_id => pg_temp.fx('bob'))$$,
                 'VS008', NULL, 'a missing group should raise VS008');
SELECT throws_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('alice'))$$,
                 'VS013', NULL, 'the last admin leaving should raise VS013');
SELECT throws_ok($$DELETE FROM vestige.group_memberships WHERE user_id = pg_temp.fx('bob')$$,
                 '42501', NULL, 'vestige_app should not delete memberships directly');
RESET ROLE;
SELECT is((SELECT count(*) FROM vestige.group_memberships WHERE group_id = pg_temp.fx('team')), 4::bigint,
          'the refused calls should leave the membership unchanged');
SET LOCAL ROLE vestige_app;

-- A member leaves.
SELECT vestige_test.act_as(pg_temp.fx('bob'));
SELECT lives_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('bob'))$$,
                'a member should leave the group');
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes$$,
              ARRAY[pg_temp.fx('by_bob'), pg_temp.fx('bob_private'), pg_temp.fx('public')],
              'a member who left should no longer see the group memories of others, only their own and public ones');

-- An admin removes a member.
SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT lives_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('carol'))$$,
                'an admin should remove a member');
SELECT vestige_test.act_as(pg_temp.fx('carol'));
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes$$, ARRAY[pg_temp.fx('public')],
              'a removed member should see only public memories');

-- Remaining members still see every memory shared with the group, also that of the member who left.
SELECT vestige_test.act_as(pg_temp.fx('erin'));
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes$$,
              ARRAY[pg_temp.fx('by_alice'), pg_temp.fx('by_bob'), pg_temp.fx('public')],
              'a remaining member should still see the group memories, also those of a member who left');

-- The admin hands over and leaves.
SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT lives_ok($$SELECT vestige.add_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('erin'), p_role => 'admin')$$,
                'an admin should make another member admin');
SELECT lives_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('alice'))$$,
                'an admin should leave once another admin remains');
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes$$,
              ARRAY[pg_temp.fx('by_alice'), pg_temp.fx('public')],
              'an admin who left should still see their own memories');
SELECT vestige_test.act_as(pg_temp.fx('erin'));
SELECT set_eq($$SELECT id FROM vestige.knowledge_nodes$$,
              ARRAY[pg_temp.fx('by_alice'), pg_temp.fx('by_bob'), pg_temp.fx('public')],
              'the remaining admin should still see the memories of the members who left');
SELECT throws_ok($$SELECT vestige.remove_group_member(p_group_id => pg_temp.fx('team'), p_user_id => pg_temp.fx('erin'))$$,
                 'VS013', NULL, 'the new last admin leaving should raise VS013');

RESET ROLE;
SELECT results_eq(
    $$SELECT user_id, role FROM vestige.group_memberships WHERE group_id = pg_temp.fx('team')$$,
    $$VALUES (pg_temp.fx('erin'), 'admin')$$,
    'only the remaining admin should be left in the group');
SELECT set_eq(
    $$SELECT id FROM vestige.knowledge_nodes WHERE pg_temp.fx('team') = ANY (shared_with_groups) AND visibility = 'group'$$,
    ARRAY[pg_temp.fx('by_alice'), pg_temp.fx('by_bob')],
    'memories should stay shared with the group after their owners left');
SELECT is((SELECT count(*) FROM vestige.knowledge_nodes), 4::bigint,
          'leaving a group should not delete any memory');
SELECT is((SELECT count(*) FROM vestige.groups WHERE id = pg_temp.fx('team')), 1::bigint,
          'the group should still exist');

SELECT * FROM finish();
ROLLBACK;
