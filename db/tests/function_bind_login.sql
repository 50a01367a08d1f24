-- pgTAP: vestige.bind_login — an operator binds a login role to a user; the checks it makes.
BEGIN;
SELECT plan(11);

CREATE ROLE tap_bind LOGIN IN ROLE vestige_app;
CREATE ROLE tap_nologin NOLOGIN;
CREATE ROLE tap_super LOGIN SUPERUSER;
SELECT vestige_test.user('a'), vestige_test.user('b');

SELECT results_eq($$SELECT * FROM vestige.bind_login(vestige_test.user('a'), 'tap_bind')$$,
                  $$VALUES (vestige_test.user('a'), 'a'::text, 'tap_bind'::text)$$,
                  'bind_login should bind the role and return the user, handle and role');
SELECT is((SELECT login_role FROM vestige.users WHERE id = vestige_test.user('a')), 'tap_bind', 'the binding should be stored');
SELECT lives_ok($$SELECT * FROM vestige.bind_login(vestige_test.user('a'), 'tap_bind')$$, 'binding the same role again should be a no-op');
SELECT throws_ok($$SELECT * FROM vestige.bind_login(vestige_test.user('b'), 'tap_bind')$$, 'VS013',
                 'login role tap_bind is already bound to user a', 'a role bound to another user should raise VS013');
SELECT throws_ok($$SELECT * FROM vestige.bind_login(vestige_test.user('b'), 'tap_nobody')$$, 'VS006',
                 'no login role tap_nobody', 'an unknown role should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.bind_login(vestige_test.user('b'), 'tap_nologin')$$, 'VS006', NULL,
                 'a role that cannot log in should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.bind_login(vestige_test.user('b'), 'tap_super')$$, 'VS006', NULL,
                 'a superuser (it bypasses row-level security) should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.bind_login('99999999-9999-4999-8999-999999999999', 'tap_nologin2')$$, 'VS006', NULL,
                 'the role is checked first');
SELECT throws_ok($$SELECT * FROM vestige.bind_login('99999999-9999-4999-8999-999999999999', NULL)$$, 'VS011', NULL,
                 'an unknown user should raise VS011');
SELECT results_eq($$SELECT login_role FROM vestige.bind_login(vestige_test.user('a'), NULL)$$, $$VALUES (NULL::text)$$,
                  'a NULL role should remove the binding');
SELECT ok(NOT has_function_privilege('vestige_app', 'vestige.bind_login(uuid, text)', 'EXECUTE'),
          'bind_login is an operator function: vestige_app should not execute it');

SELECT * FROM finish();
ROLLBACK;
