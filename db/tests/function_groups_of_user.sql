-- pgTAP: vestige.groups_of_user — a user's groups, sorted; the owner's functions call it, the
-- application role may not (it names any user's groups).
BEGIN;
SELECT plan(6);

-- Fixtures (superuser). A is admin of two groups, B a member of one, C of none.
SELECT vestige_test.group('g1', vestige_test.user('a'), ARRAY[vestige_test.user('b')]);
SELECT vestige_test.group('g2', vestige_test.user('a'));

SELECT is(vestige.groups_of_user(vestige_test.user('a')),
          ARRAY(SELECT g FROM unnest(ARRAY[vestige_test.group_id('g1'), vestige_test.group_id('g2')]) AS g ORDER BY g),
          'a user''s groups should be listed sorted by id');
SELECT is(vestige.groups_of_user(vestige_test.user('b')), ARRAY[vestige_test.group_id('g1')],
          'a plain member should get the group they belong to');
SELECT is(vestige.groups_of_user(vestige_test.user('c')), '{}'::uuid[], 'a user in no group should get an empty array, not NULL');
SELECT is(vestige.groups_of_user(gen_random_uuid()), '{}'::uuid[], 'an unknown user should get an empty array');

-- The attacker: the application role asks for another user's groups.
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('c'));
SELECT throws_ok(format('SELECT vestige.groups_of_user(%L)', vestige_test.user('a')), '42501', NULL,
                 'vestige_app should not be allowed to ask for another user''s groups');
SELECT is(vestige.current_user_groups(), '{}'::uuid[], 'it gets its own groups through current_user_groups');

SELECT * FROM finish();
ROLLBACK;
