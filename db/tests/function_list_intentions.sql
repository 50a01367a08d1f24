-- pgTAP: vestige.list_intentions lists the caller's own intentions, filtered by status, most
-- urgent first, within a limit of 1..1000.
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE fx (name text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.fx(p_name text) RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.fx WHERE name = p_name $$;
GRANT SELECT ON fx TO vestige_app;
INSERT INTO fx VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob')),
                      ('carol', vestige_test.user('carol'));
WITH rows (name, owner, content, priority, status, deadline, created_at) AS (VALUES
    ('low',      'alice', 'low priority',        1, 'active',    NULL::timestamptz, '2030-01-01 00:01Z'::timestamptz),
    ('urgent',   'alice', 'urgent',              4, 'active',    NULL,              '2030-01-01 00:02Z'),
    ('soon',     'alice', 'due soon',            2, 'snoozed',   '2030-02-01Z',     '2030-01-01 00:03Z'),
    ('later',    'alice', 'due later',           2, 'active',    '2030-03-01Z',     '2030-01-01 00:04Z'),
    ('nodate_a', 'alice', 'no deadline, older',  2, 'fulfilled', NULL,              '2030-01-01 00:05Z'),
    ('nodate_b', 'alice', 'no deadline, newer',  2, 'cancelled', NULL,              '2030-01-01 00:06Z'),
    ('bob_one',  'bob',   'bob''s intention',    4, 'active',    NULL,              '2030-01-01 00:07Z')
), ins AS (
    INSERT INTO vestige.intentions (owner_user_id, content, priority, status, deadline, snoozed_until, created_at, updated_at)
    SELECT pg_temp.fx(r.owner), r.content, r.priority, r.status, r.deadline,
           CASE WHEN r.status = 'snoozed' THEN '2030-01-15Z'::timestamptz END, r.created_at, r.created_at
      FROM rows AS r
    RETURNING id, content
)
INSERT INTO fx SELECT r.name, ins.id FROM rows AS r JOIN ins USING (content);

SELECT is_definer('vestige', 'list_intentions', ARRAY['text[]', 'integer'], 'list_intentions should be SECURITY DEFINER');

SET LOCAL ROLE vestige_app;

SELECT throws_ok($$SELECT * FROM vestige.list_intentions()$$, 'VS001', NULL,
                 'list_intentions without a caller identity should raise VS001');

SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT results_eq(
    $$SELECT id FROM vestige.list_intentions()$$,
    $$VALUES (pg_temp.fx('urgent')), (pg_temp.fx('soon')), (pg_temp.fx('later')), (pg_temp.fx('nodate_a')),
             (pg_temp.fx('nodate_b')), (pg_temp.fx('low'))$$,
    'all of alice''s intentions should be listed by priority, then deadline (none last), then age');
SELECT results_eq(
    $$SELECT content, priority, status, snoozed_until, owner_user_id FROM vestige.list_intentions() WHERE id = pg_temp.fx('soon')$$,
    $$VALUES ('due soon', 2, 'snoozed', '2030-01-15Z'::timestamptz, pg_temp.fx('alice'))$$,
    'a listed intention should carry its columns');
SELECT results_eq(
    $$SELECT id FROM vestige.list_intentions(p_statuses => ARRAY['active'])$$,
    $$VALUES (pg_temp.fx('urgent')), (pg_temp.fx('later')), (pg_temp.fx('low'))$$,
    'a status filter should list only intentions with that status');
SELECT set_eq(
    $$SELECT id FROM vestige.list_intentions(p_statuses => ARRAY['fulfilled', 'snoozed'])$$,
    ARRAY[pg_temp.fx('soon'), pg_temp.fx('nodate_a')],
    'several statuses should list intentions with any of them');
SELECT is_empty($$SELECT id FROM vestige.list_intentions(p_statuses => '{}')$$,
                'an empty status list should list nothing');
SELECT results_eq(
    $$SELECT id FROM vestige.list_intentions(p_limit => 2)$$,
    $$VALUES (pg_temp.fx('urgent')), (pg_temp.fx('soon'))$$,
    'the limit should keep the most urgent intentions');
SELECT is((SELECT count(*) FROM vestige.list_intentions(p_limit => 1000)), 6::bigint,
          'a limit of 1000 should be accepted');

SELECT throws_ok($$SELECT * FROM vestige.list_intentions(p_limit => 0)$$, 'VS006', NULL, 'a limit of 0 should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.list_intentions(p_limit => 1001)$$, 'VS006', NULL, 'a limit of 1001 should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.list_intentions(p_limit => NULL)$$, 'VS006', NULL, 'a NULL limit should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.list_intentions(p_statuses => ARRAY['active', 'done'])$$, 'VS006', NULL,
                 'an unknown status should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.list_intentions(p_statuses => ARRAY[NULL::text])$$, 'VS006', NULL,
                 'a NULL status should raise VS006');

SELECT vestige_test.act_as(pg_temp.fx('bob'));
SELECT results_eq($$SELECT id FROM vestige.list_intentions()$$, $$VALUES (pg_temp.fx('bob_one'))$$,
                  'bob should list his own intention only, never alice''s');
SELECT vestige_test.act_as(pg_temp.fx('carol'));
SELECT is_empty($$SELECT id FROM vestige.list_intentions()$$, 'a user without intentions should list nothing');

SELECT * FROM finish();
ROLLBACK;
