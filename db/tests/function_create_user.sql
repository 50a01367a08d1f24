-- pgTAP: vestige.create_user provisions users without a caller identity; bad handles and
-- taken handles or ids are refused and change nothing.
BEGIN;
SELECT plan(17);

SELECT is_definer('vestige', 'create_user', ARRAY['text', 'text', 'uuid'],
                  'create_user should be SECURITY DEFINER');
SELECT function_privs_are('vestige', 'create_user', ARRAY['text', 'text', 'uuid'], 'vestige_app', ARRAY['EXECUTE'],
                          'vestige_app should be allowed to execute create_user');

SELECT vestige_test.act_as(NULL);
SET LOCAL ROLE vestige_app;

SELECT is(vestige.create_user(p_handle => 'alice', p_display_name => 'Alice A.',
                              p_id => '00000000-0000-0000-0000-0000000000a1'),
          '00000000-0000-0000-0000-0000000000a1'::uuid,
          'create_user should work without a caller identity and return the id it was given');
SELECT isnt(vestige.create_user(p_handle => 'bob.b@example-1'), NULL,
            'create_user should return a new id when none is given');
SELECT lives_ok($$SELECT vestige.create_user(p_handle => repeat('c', 64))$$,
                'a handle of 64 characters should be accepted');

SELECT throws_ok($$SELECT vestige.create_user(p_handle => NULL)$$, 'VS006', NULL,
                 'a NULL handle should raise VS006');
SELECT throws_ok($$SELECT vestige.create_user(p_handle => '')$$, 'VS006', NULL,
                 'an empty handle should raise VS006');
SELECT throws_ok($$SELECT vestige.create_user(p_handle => '_alice')$$, 'VS006', NULL,
                 'a handle starting with punctuation should raise VS006');
SELECT throws_ok($$SELECT vestige.create_user(p_handle => 'alice smith')$$, 'VS006', NULL,
                 'a handle with a space should raise VS006');
SELECT throws_ok($$SELECT vestige.create_user(p_handle => repeat('d', 65))$$, 'VS006', NULL,
                 'a handle of 65 characters should raise VS006');
SELECT throws_ok($$SELECT vestige.create_user(p_handle => 'alice')$$, 'VS013', NULL,
                 'a handle already taken should raise VS013');
SELECT throws_ok($$SELECT vestige.create_user(p_handle => 'alice2', p_id => '00000000-0000-0000-0000-0000000000a1')$$,
                 'VS013', NULL, 'an id already taken should raise VS013');
SELECT throws_ok($$INSERT INTO vestige.users (handle) VALUES ('mallory')$$, '42501', NULL,
                 'vestige_app should not insert users directly');

RESET ROLE;
SELECT results_eq(
    $$SELECT handle, display_name FROM vestige.users WHERE id = '00000000-0000-0000-0000-0000000000a1'$$,
    $$VALUES ('alice', 'Alice A.')$$,
    'the created user should have its handle and display name');
SELECT set_eq(
    $$SELECT handle FROM vestige.users$$,
    ARRAY['local', 'alice', 'bob.b@example-1', repeat('c', 64)],
    'only the valid users should have been created (the refused calls changed nothing)');
SELECT is((SELECT display_name FROM vestige.users WHERE handle = 'bob.b@example-1'), NULL,
          'the display name should default to NULL');
SELECT is((SELECT count(*) FROM vestige.users WHERE handle IN ('alice2', 'mallory')), 0::bigint,
          'no user should exist for a refused handle or id');

SELECT * FROM finish();
ROLLBACK;
