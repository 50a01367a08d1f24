-- pgTAP: vestige.check_owner — the write rule for memories: visible (else VS008, as if missing)
-- and owned by the caller (else VS009). A private helper: tested as vestige_owner, the role the
-- API functions run as.
BEGIN;
SELECT plan(20);

-- Fixtures (superuser). A owns a private, a group (G) and a public memory; B is in G; C is a stranger.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_owner, vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
CREATE FUNCTION pg_temp.act_as(p_user uuid) RETURNS void
LANGUAGE sql AS $$ SELECT set_config('vestige.user_id', coalesce(p_user::text, ''), true) $$;
-- The SQLSTATE and hint of the error a statement raises (NULL when it raises nothing).
CREATE FUNCTION pg_temp.error_of(p_sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_state text;
    v_hint  text;
BEGIN
    EXECUTE p_sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_hint = PG_EXCEPTION_HINT;
    RETURN v_state || ': ' || v_hint;
END
$$;

INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g', vestige_test.group('g', pg_temp.m('a'), ARRAY[pg_temp.m('b')]);
INSERT INTO ids SELECT 'private', vestige_test.memory(pg_temp.m('a'), 'a private note');
INSERT INTO ids SELECT 'group',   vestige_test.memory(pg_temp.m('a'), 'a group note', 'group', ARRAY[pg_temp.m('g')]);
INSERT INTO ids SELECT 'public',  vestige_test.memory(pg_temp.m('a'), 'a public note', 'public');

SET LOCAL ROLE vestige_owner;

-- The owner.
SELECT pg_temp.act_as(pg_temp.m('a'));
SELECT is((vestige.check_owner(pg_temp.m('private'))).id, pg_temp.m('private'), 'the owner should pass check_owner on a private memory');
SELECT is((vestige.check_owner(pg_temp.m('group'))).id, pg_temp.m('group'), 'the owner should pass check_owner on a group memory');
SELECT is((vestige.check_owner(pg_temp.m('public'))).id, pg_temp.m('public'), 'the owner should pass check_owner on a public memory');
SELECT is((vestige.check_owner(pg_temp.m('private'))).content, 'a private note', 'check_owner should return the whole row');
SELECT throws_ok($$SELECT vestige.check_owner(gen_random_uuid())$$, 'VS008', NULL, 'a missing id should raise VS008');
SELECT throws_ok($$SELECT vestige.check_owner(NULL)$$, 'VS008', NULL, 'a NULL id should raise VS008');

-- A group member: sees the group and public memories but does not own them.
SELECT pg_temp.act_as(pg_temp.m('b'));
SELECT throws_ok(format('SELECT vestige.check_owner(%L)', pg_temp.m('private')), 'VS008', NULL,
                 'a group member should get VS008 (not found) for the owner''s private memory');
SELECT throws_ok(format('SELECT vestige.check_owner(%L)', pg_temp.m('group')), 'VS009', NULL,
                 'a group member should get VS009 (not owner) for a group memory shared with them');
SELECT throws_ok(format('SELECT vestige.check_owner(%L)', pg_temp.m('public')), 'VS009', NULL,
                 'a group member should get VS009 (not owner) for a public memory');

-- A stranger: sees only the public memory.
SELECT pg_temp.act_as(pg_temp.m('c'));
SELECT throws_ok(format('SELECT vestige.check_owner(%L)', pg_temp.m('private')), 'VS008', NULL,
                 'a stranger should get VS008 for a private memory');
SELECT throws_ok(format('SELECT vestige.check_owner(%L)', pg_temp.m('group')), 'VS008', NULL,
                 'a stranger should get VS008 for a group memory not shared with them');
SELECT throws_ok(format('SELECT vestige.check_owner(%L)', pg_temp.m('public')), 'VS009', NULL,
                 'a stranger should get VS009 for a public memory');

-- The error for an invisible memory looks like the one for a missing memory (nothing leaks).
SELECT is(pg_temp.error_of(format('SELECT vestige.check_owner(%L)', pg_temp.m('private'))),
          pg_temp.error_of(format('SELECT vestige.check_owner(%L)', gen_random_uuid())),
          'an invisible memory should get the same SQLSTATE and hint as a missing one');

-- Identity.
SELECT pg_temp.act_as(NULL);
SELECT throws_ok(format('SELECT vestige.check_owner(%L)', pg_temp.m('public')), 'VS001', NULL,
                 'check_owner without a caller identity should raise VS001');
SELECT set_config('vestige.user_id', gen_random_uuid()::text, true);
SELECT throws_ok(format('SELECT vestige.check_owner(%L)', pg_temp.m('public')), 'VS011', NULL,
                 'check_owner for an identity naming no user should raise VS011');

-- check_owner itself changes nothing.
RESET ROLE;
SELECT results_eq(
    $$SELECT owner_user_id, visibility FROM vestige.knowledge_nodes ORDER BY content$$,
    $$VALUES (vestige_test.user('a'), 'group'::text), (vestige_test.user('a'), 'private'::text), (vestige_test.user('a'), 'public'::text)$$,
    'check_owner should not change any memory');

-- A private helper: not callable by the application role.
SET LOCAL ROLE vestige_app;
SELECT pg_temp.act_as(pg_temp.m('a'));
SELECT throws_ok(format('SELECT vestige.check_owner(%L)', pg_temp.m('private')), '42501', NULL,
                 'vestige_app should not be allowed to execute the private helper check_owner');
SELECT isnt_definer('vestige', 'check_owner', ARRAY['uuid'], 'check_owner should be SECURITY INVOKER (a helper of the definer API)');
SELECT volatility_is('vestige', 'check_owner', ARRAY['uuid'], 'volatile', 'check_owner should be VOLATILE (it locks the row)');
SELECT function_returns('vestige', 'check_owner', ARRAY['uuid'], 'vestige.knowledge_nodes', 'check_owner should return the knowledge_nodes row');

SELECT * FROM finish();
ROLLBACK;
