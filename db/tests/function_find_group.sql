-- pgTAP: vestige.find_group — the id of one of the caller's groups by name; another group's
-- existence is not revealed.
BEGIN;
SELECT plan(6);

SELECT is_definer('vestige', 'find_group', ARRAY['text'], 'find_group should be SECURITY DEFINER');
SELECT function_privs_are('vestige', 'find_group', ARRAY['text'], 'vestige_app', ARRAY['EXECUTE'],
                          'vestige_app should be allowed to execute find_group');

SELECT vestige_test.group('platform', vestige_test.user('a'), ARRAY[vestige_test.user('b')]);
SELECT vestige_test.group('secret', vestige_test.user('c'));
SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT vestige.find_group('platform')$$, 'VS001', NULL, 'find_group without a caller identity should raise VS001');
SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT is(vestige.find_group('platform'), vestige_test.group_id('platform'), 'a member should resolve the group''s name to its id');
SELECT throws_ok($$SELECT vestige.find_group('secret')$$, 'VS008', 'you belong to no group named ''secret''',
    'a group the caller is not in should be refused exactly like one that does not exist');
SELECT throws_ok($$SELECT vestige.find_group('nowhere')$$, 'VS008', 'you belong to no group named ''nowhere''',
    'an unknown group name should raise VS008');

SELECT * FROM finish();
ROLLBACK;
