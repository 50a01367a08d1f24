-- pgTAP: vestige.list_users — every user's id, handle and display name, by handle, for any
-- application login.
BEGIN;
SELECT plan(4);

SELECT is_definer('vestige', 'list_users', ARRAY[]::text[], 'list_users should be SECURITY DEFINER');
SELECT function_privs_are('vestige', 'list_users', ARRAY[]::text[], 'vestige_app', ARRAY['EXECUTE'],
                          'vestige_app should be allowed to execute list_users');

SELECT vestige.create_user(p_handle => 'zoe', p_display_name => 'Zoe Z', p_id => '00000000-0000-0000-0000-0000000000f1');
SELECT vestige.create_user(p_handle => 'amy', p_id => '00000000-0000-0000-0000-0000000000f2');
SELECT vestige_test.act_as(NULL);
SET LOCAL ROLE vestige_app;
SELECT results_eq(
    $$SELECT handle, display_name FROM vestige.list_users() WHERE handle IN ('amy', 'local', 'zoe')$$,
    $$VALUES ('amy', NULL::text), ('local', 'Local user'), ('zoe', 'Zoe Z')$$,
    'list_users should return every user by handle, without a caller identity');
SELECT is((SELECT id FROM vestige.list_users() WHERE handle = 'zoe'), '00000000-0000-0000-0000-0000000000f1'::uuid,
          'list_users should return each user''s id');

SELECT * FROM finish();
ROLLBACK;
