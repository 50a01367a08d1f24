-- pgTAP: vestige.find_user resolves a handle to its id without a caller identity; an unknown
-- handle raises VS011.
BEGIN;
SELECT plan(6);

SELECT is_definer('vestige', 'find_user', ARRAY['text'], 'find_user should be SECURITY DEFINER');
SELECT function_privs_are('vestige', 'find_user', ARRAY['text'], 'vestige_app', ARRAY['EXECUTE'],
                          'vestige_app should be allowed to execute find_user');

SELECT vestige.create_user(p_handle => 'alice', p_id => '00000000-0000-0000-0000-0000000000a1');
SELECT vestige_test.act_as(NULL);
SET LOCAL ROLE vestige_app;

SELECT is(vestige.find_user('local'), '00000000-0000-0000-0000-000000000001'::uuid,
          'the bootstrap handle local should resolve to the bootstrap user');
SELECT is(vestige.find_user('alice'), '00000000-0000-0000-0000-0000000000a1'::uuid,
          'find_user should work without a caller identity and return the id of the handle');
SELECT throws_ok($$SELECT vestige.find_user('nobody')$$, 'VS011', NULL,
                 'an unknown handle should raise VS011');
SELECT throws_ok($$SELECT vestige.find_user(NULL)$$, 'VS011', NULL,
                 'a NULL handle should raise VS011');

SELECT * FROM finish();
ROLLBACK;
