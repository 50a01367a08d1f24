-- pgTAP: vestige.list_groups — the groups the caller belongs to, with the caller's role and the
-- member count; never another group.
BEGIN;
SELECT plan(6);

SELECT is_definer('vestige', 'list_groups', ARRAY[]::text[], 'list_groups should be SECURITY DEFINER');
SELECT function_privs_are('vestige', 'list_groups', ARRAY[]::text[], 'vestige_app', ARRAY['EXECUTE'],
                          'vestige_app should be allowed to execute list_groups');

SELECT vestige_test.group('platform', vestige_test.user('a'), ARRAY[vestige_test.user('b')]);
SELECT vestige_test.group('secret', vestige_test.user('c'));
SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT * FROM vestige.list_groups()$$, 'VS001', NULL, 'list_groups without a caller identity should raise VS001');
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT results_eq($$SELECT name, role, members FROM vestige.list_groups()$$, $$VALUES ('platform', 'admin', 2)$$,
    'the admin should see the group as admin, with its two members');
SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT results_eq($$SELECT id, name, role FROM vestige.list_groups()$$,
    $$VALUES (vestige_test.group_id('platform'), 'platform', 'member')$$,
    'a member should see the group with its id, as member, and not the group they are not in');
SELECT vestige_test.act_as(vestige_test.user('d'));
SELECT is_empty($$SELECT * FROM vestige.list_groups()$$, 'a user in no group should see none');

SELECT * FROM finish();
ROLLBACK;
