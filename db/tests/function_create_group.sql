-- pgTAP: vestige.create_group creates a group whose admin is the caller; bad and taken names
-- are refused and change nothing.
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE fx (name text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.fx(p_name text) RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.fx WHERE name = p_name $$;
GRANT SELECT, INSERT ON fx TO vestige_app;
INSERT INTO fx VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob'));

SELECT is_definer('vestige', 'create_group', ARRAY['text'], 'create_group should be SECURITY DEFINER');

SET LOCAL ROLE vestige_app;

SELECT throws_ok($$SELECT vestige.create_group(p_name => 'Team Alpha')$$, 'VS001', NULL,
                 'create_group without a caller identity should raise VS001');
SELECT vestige_test.act_as(gen_random_uuid());
SELECT throws_ok($$SELECT vestige.create_group(p_name => 'Team Alpha')$$, 'VS011', NULL,
                 'create_group as an unknown user should raise VS011');

SELECT vestige_test.act_as(pg_temp.fx('alice'));
INSERT INTO fx SELECT 'alpha', vestige.create_group(p_name => 'Team Alpha');
SELECT isnt(pg_temp.fx('alpha'), NULL, 'create_group should return the id of the new group');
SELECT lives_ok($$SELECT vestige.create_group(p_name => 'x')$$, 'a one-character name should be accepted');
SELECT lives_ok($$SELECT vestige.create_group(p_name => repeat('n', 128))$$, 'a name of 128 characters should be accepted');

SELECT throws_ok($$SELECT vestige.create_group(p_name => NULL)$$, 'VS006', NULL, 'a NULL name should raise VS006');
SELECT throws_ok($$SELECT vestige.create_group(p_name => '')$$, 'VS006', NULL, 'an empty name should raise VS006');
SELECT throws_ok($$SELECT vestige.create_group(p_name => ' leading')$$, 'VS006', NULL,
                 'a name with a leading space should raise VS006');
SELECT throws_ok($$SELECT vestige.create_group(p_name => 'trailing ')$$, 'VS006', NULL,
                 'a name with a trailing space should raise VS006');
SELECT throws_ok($$SELECT vestige.create_group(p_name => repeat('n', 129))$$, 'VS006', NULL,
                 'a name of 129 characters should raise VS006');
SELECT vestige_test.act_as(pg_temp.fx('bob'));
SELECT throws_ok($$SELECT vestige.create_group(p_name => 'Team Alpha')$$, 'VS013', NULL,
                 'a name already taken should raise VS013');
SELECT throws_ok($$INSERT INTO vestige.groups (name, created_by) VALUES ('Team Beta', pg_temp.fx('bob'))$$, '42501', NULL,
                 'vestige_app should not insert groups directly');

RESET ROLE;
SELECT results_eq(
    $$SELECT name, created_by FROM vestige.groups WHERE id = pg_temp.fx('alpha')$$,
    $$VALUES ('Team Alpha', pg_temp.fx('alice'))$$,
    'the group should be recorded as created by the caller');
SELECT results_eq(
    $$SELECT user_id, role FROM vestige.group_memberships WHERE group_id = pg_temp.fx('alpha')$$,
    $$VALUES (pg_temp.fx('alice'), 'admin')$$,
    'the caller should be the only member of the new group, as admin');
SELECT set_eq(
    $$SELECT name FROM vestige.groups$$,
    ARRAY['Team Alpha', 'x', repeat('n', 128)],
    'only the valid groups should have been created (the refused calls changed nothing)');

SELECT * FROM finish();
ROLLBACK;
