-- pgTAP: vestige.check_sharing — visibility private/group/public, groups only with group
-- visibility, and only groups the caller belongs to. A private helper: tested as vestige_owner,
-- the role the API functions run as.
BEGIN;
SELECT plan(20);

-- Fixtures (superuser). A is admin of G1 and a member of G2; C alone is in H.
CREATE TEMP TABLE ids (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON ids TO vestige_owner, vestige_app;
CREATE FUNCTION pg_temp.m(p_name text) RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT i.id FROM ids AS i WHERE i.name = p_name $$;
CREATE FUNCTION pg_temp.act_as(p_name text) RETURNS void
LANGUAGE sql AS $$ SELECT set_config('vestige.user_id', coalesce(pg_temp.m(p_name)::text, ''), true) $$;
-- An array of ids, sorted and without duplicates.
CREATE FUNCTION pg_temp.sorted(p_ids uuid[]) RETURNS uuid[]
LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY(SELECT DISTINCT g FROM unnest(p_ids) AS g ORDER BY g) $$;

INSERT INTO ids VALUES ('a', vestige_test.user('a')), ('b', vestige_test.user('b')), ('c', vestige_test.user('c'));
INSERT INTO ids SELECT 'g1', vestige_test.group('g1', pg_temp.m('a'));
INSERT INTO ids SELECT 'g2', vestige_test.group('g2', pg_temp.m('b'), ARRAY[pg_temp.m('a')]);
INSERT INTO ids SELECT 'h', vestige_test.group('h', pg_temp.m('c'));

SET LOCAL ROLE vestige_owner;
SELECT pg_temp.act_as('a');

-- Valid combinations.
SELECT is(vestige.check_sharing('private', '{}'), '{}'::uuid[], 'private without groups should give no groups');
SELECT is(vestige.check_sharing('private', NULL), '{}'::uuid[], 'private with NULL groups should give no groups');
SELECT is(vestige.check_sharing('public', '{}'), '{}'::uuid[], 'public without groups should give no groups');
SELECT is(vestige.check_sharing('group', ARRAY[pg_temp.m('g1')]), ARRAY[pg_temp.m('g1')],
          'group visibility with a group the caller administers should give that group');
SELECT is(vestige.check_sharing('group', ARRAY[pg_temp.m('g2')]), ARRAY[pg_temp.m('g2')],
          'group visibility with a group the caller is a plain member of should give that group');
SELECT is(vestige.check_sharing('group', ARRAY[pg_temp.m('g2'), pg_temp.m('g1'), pg_temp.m('g2')]),
          pg_temp.sorted(ARRAY[pg_temp.m('g1'), pg_temp.m('g2')]),
          'the groups should come back sorted and without duplicates');

-- Bad visibility.
SELECT throws_ok($$SELECT vestige.check_sharing('secret', '{}')$$, 'VS006', NULL, 'an unknown visibility should raise VS006');
SELECT throws_ok($$SELECT vestige.check_sharing(NULL, '{}')$$, 'VS006', NULL, 'a NULL visibility should raise VS006');
SELECT throws_ok($$SELECT vestige.check_sharing('Public', '{}')$$, 'VS006', NULL, 'visibility should be case-sensitive (Public raises VS006)');

-- Groups and visibility must agree.
SELECT throws_ok($$SELECT vestige.check_sharing('group', '{}')$$, 'VS006', NULL, 'group visibility without groups should raise VS006');
SELECT throws_ok($$SELECT vestige.check_sharing('group', NULL)$$, 'VS006', NULL, 'group visibility with NULL groups should raise VS006');
SELECT throws_ok($$SELECT vestige.check_sharing('private', ARRAY[pg_temp.m('g1')])$$, 'VS006', NULL, 'private visibility with groups should raise VS006');
SELECT throws_ok($$SELECT vestige.check_sharing('public', ARRAY[pg_temp.m('g1')])$$, 'VS006', NULL, 'public visibility with groups should raise VS006');

-- Only the caller's groups.
SELECT throws_ok($$SELECT vestige.check_sharing('group', ARRAY[pg_temp.m('h')])$$, 'VS010', NULL,
                 'sharing with a group the caller is not in should raise VS010');
SELECT throws_ok($$SELECT vestige.check_sharing('group', ARRAY[pg_temp.m('g1'), pg_temp.m('h')])$$, 'VS010', NULL,
                 'sharing with one own group and one foreign group should raise VS010');
SELECT throws_ok($$SELECT vestige.check_sharing('group', ARRAY[gen_random_uuid()])$$, 'VS010', NULL,
                 'sharing with a group that does not exist should raise VS010');
SELECT pg_temp.act_as('c');
SELECT is(vestige.check_sharing('group', ARRAY[pg_temp.m('h')]), ARRAY[pg_temp.m('h')], 'C should be allowed to share with H');

-- Identity.
SELECT pg_temp.act_as(NULL);
SELECT throws_ok($$SELECT vestige.check_sharing('group', ARRAY[pg_temp.m('g1')])$$, 'VS001', NULL,
                 'checking groups without a caller identity should raise VS001');

-- A private helper: not callable by the application role.
RESET ROLE;
SET LOCAL ROLE vestige_app;
SELECT pg_temp.act_as('a');
SELECT throws_ok($$SELECT vestige.check_sharing('private', '{}')$$, '42501', NULL,
                 'vestige_app should not be allowed to execute the private helper check_sharing');
SELECT isnt_definer('vestige', 'check_sharing', ARRAY['text', 'uuid[]'],
                    'check_sharing should be SECURITY INVOKER (a helper of the definer API)');

SELECT * FROM finish();
ROLLBACK;
