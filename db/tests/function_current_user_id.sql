-- pgTAP: vestige.current_user_id — the caller identity from vestige.user_id; fails closed.
BEGIN;
SELECT plan(12);

SELECT vestige_test.user('a'), vestige_test.user('b');

SET LOCAL ROLE vestige_app;

-- Missing or malformed identity: VS001 (fail closed).
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS001', NULL,
                 'an unset vestige.user_id should raise VS001');
SELECT set_config('vestige.user_id', '', true);
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS001', NULL, 'an empty vestige.user_id should raise VS001');
SELECT set_config('vestige.user_id', 'not-a-uuid', true);
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS001', NULL, 'a vestige.user_id that is not a uuid should raise VS001');
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-00000000000', true);
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS001', NULL, 'a uuid one digit short should raise VS001');
SELECT set_config('vestige.user_id', ' ', true);
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS001', NULL, 'a blank vestige.user_id should raise VS001');

-- Well-formed but unknown.
SELECT set_config('vestige.user_id', '99999999-9999-4999-8999-999999999999', true);
SELECT throws_ok($$SELECT vestige.current_user_id()$$, 'VS011', NULL, 'a uuid naming no user should raise VS011');

-- Known users.
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT is(vestige.current_user_id(), vestige_test.user('a'), 'current_user_id should return the user set in vestige.user_id');
SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT is(vestige.current_user_id(), vestige_test.user('b'), 'a later change of vestige.user_id should be seen by the next statement');
SELECT set_config('vestige.user_id', upper(vestige_test.user('a')::text), true);
SELECT is(vestige.current_user_id(), vestige_test.user('a'), 'an upper-case uuid should name the same user');
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT is(vestige.current_user_id(), '00000000-0000-0000-0000-000000000001'::uuid,
          'the bootstrap local user should be a valid identity');

-- Privileges: callable by vestige_app (the policies call it), definer so it can read vestige.users.
SELECT ok(has_function_privilege('vestige_app', 'vestige.current_user_id()', 'EXECUTE'),
          'vestige_app should be allowed to execute current_user_id');
SELECT ok(NOT has_table_privilege('vestige_app', 'vestige.users', 'SELECT'),
          'vestige_app should not read vestige.users directly; current_user_id checks it as definer');

SELECT * FROM finish();
ROLLBACK;
