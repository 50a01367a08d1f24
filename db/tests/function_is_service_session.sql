-- pgTAP: vestige.is_service_session — the one statement of who may name the caller.
BEGIN;
SELECT plan(6);

CREATE ROLE tap_server LOGIN IN ROLE vestige_service;
CREATE ROLE tap_member LOGIN IN ROLE vestige_app;
CREATE FUNCTION pg_temp.login_as(p_role text) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('SET LOCAL SESSION AUTHORIZATION %I', p_role); END $$;

SELECT ok(vestige.is_service_session(), 'a superuser session (the embedded default) should be a service session');
SELECT pg_temp.login_as('tap_server');
SELECT ok(vestige.is_service_session(), 'a vestige_service member should be a service session');
SET LOCAL ROLE vestige_app;
SELECT ok(vestige.is_service_session(), 'SET ROLE should not change it (the login decides)');
RESET ROLE;
RESET SESSION AUTHORIZATION;
SELECT pg_temp.login_as('tap_member');
SELECT ok(NOT vestige.is_service_session(), 'a vestige_app member only should not be a service session');
RESET SESSION AUTHORIZATION;
SELECT vestige.bind_login(vestige_test.user('s'), 'tap_server');
SELECT pg_temp.login_as('tap_server');
SELECT ok(NOT vestige.is_service_session(), 'a service member bound to a user should not be a service session');
RESET SESSION AUTHORIZATION;
SELECT ok(has_function_privilege('vestige_app', 'vestige.is_service_session()', 'EXECUTE'), 'vestige_app should execute it');

SELECT * FROM finish();
ROLLBACK;
