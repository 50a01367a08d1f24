-- pgTAP: vestige.check_intentions returns the caller's intentions that fire at a time and in a
-- context, with the reason, most urgent first; it changes nothing and never shows another
-- user's intentions.
BEGIN;
SELECT plan(20);

CREATE TEMP TABLE fx (name text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.fx(p_name text) RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.fx WHERE name = p_name $$;
GRANT SELECT ON fx TO vestige_app;
INSERT INTO fx VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob')),
                      ('carol', vestige_test.user('carol'));

-- The clock of every check below is 2030-06-01 12:00 UTC. Rows are written directly, with
-- fixed created_at, so the order is deterministic.
WITH rows (name, owner, content, trigger_type, trigger_data, priority, status, deadline, snoozed_until, created_at) AS (VALUES
    ('due',        'alice', 'time due',             'time',    '{"at": "2030-06-01T11:00:00Z"}'::jsonb, 2, 'active',    NULL::timestamptz, NULL::timestamptz, '2030-01-01 00:01Z'::timestamptz),
    ('later',      'alice', 'time later',           'time',    '{"at": "2030-06-01T13:00:00Z"}',        2, 'active',    NULL,              NULL,              '2030-01-01 00:02Z'),
    ('context',    'alice', 'mention the release',  'context', '{"keywords": ["Deploy", "release"]}',   3, 'active',    NULL,              NULL,              '2030-01-01 00:03Z'),
    ('event',      'alice', 'greet the user',       'event',   '{"event": "session_start"}',            1, 'active',    NULL,              NULL,              '2030-01-01 00:04Z'),
    ('manual',     'alice', 'manual, overdue',      'manual',  '{}',                                    4, 'active',    '2030-05-01',      NULL,              '2030-01-01 00:05Z'),
    ('overdue',    'alice', 'context, overdue',     'context', '{"keywords": ["zebra"]}',               2, 'active',    '2030-05-01',      NULL,              '2030-01-01 00:06Z'),
    ('woke',       'alice', 'snoozed, awake again', 'time',    '{"at": "2030-06-01T10:00:00Z"}',        2, 'snoozed',   NULL,              '2030-06-01 11:30Z', '2030-01-01 00:07Z'),
    ('asleep',     'alice', 'snoozed, still asleep','time',    '{"at": "2030-06-01T10:00:00Z"}',        4, 'snoozed',   NULL,              '2030-06-02 00:00Z', '2030-01-01 00:08Z'),
    ('done',       'alice', 'fulfilled',            'time',    '{"at": "2030-06-01T10:00:00Z"}',        4, 'fulfilled', NULL,              NULL,              '2030-01-01 00:09Z'),
    ('deadline',   'alice', 'time by deadline',     'time',    '{}',                                    4, 'active',    '2030-06-01 10:00Z', NULL,            '2030-01-01 00:10Z'),
    ('bad_at',     'alice', 'malformed at',         'time',    '{"at": "garbage"}',                     2, 'active',    NULL,              NULL,              '2030-01-01 00:11Z'),
    ('bad_words',  'alice', 'malformed keywords',   'context', '{"keywords": "deploy"}',                2, 'active',    NULL,              NULL,              '2030-01-01 00:12Z'),
    ('bob_due',    'bob',   'bob time due',         'time',    '{"at": "2030-06-01T11:00:00Z"}',        4, 'active',    NULL,              NULL,              '2030-01-01 00:13Z'),
    ('bob_ctx',    'bob',   'bob context',          'context', '{"keywords": ["deploy"]}',              4, 'active',    NULL,              NULL,              '2030-01-01 00:14Z')
), ins AS (
    INSERT INTO vestige.intentions (owner_user_id, content, trigger_type, trigger_data, priority, status, deadline, snoozed_until, created_at, updated_at)
    SELECT pg_temp.fx(r.owner), r.content, r.trigger_type, r.trigger_data, r.priority, r.status, r.deadline, r.snoozed_until, r.created_at, r.created_at
      FROM rows AS r
    RETURNING id, content
)
INSERT INTO fx SELECT r.name, ins.id FROM rows AS r JOIN ins USING (content);

SELECT is_definer('vestige', 'check_intentions', ARRAY['text', 'timestamp with time zone'],
                  'check_intentions should be SECURITY DEFINER');
SELECT volatility_is('vestige', 'check_intentions', ARRAY['text', 'timestamp with time zone'], 'stable',
                     'check_intentions should be STABLE (read-only)');

SET LOCAL ROLE vestige_app;

SELECT throws_ok($$SELECT * FROM vestige.check_intentions()$$, 'VS001', NULL,
                 'check_intentions without a caller identity should raise VS001');

SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT results_eq(
    $$SELECT id, reason FROM vestige.check_intentions(p_context => 'Shall we DEPLOY today?', p_at => '2030-06-01 12:00Z')$$,
    $$VALUES (pg_temp.fx('deadline'), 'deadline'), (pg_temp.fx('context'), 'context'),
             (pg_temp.fx('overdue'), 'deadline'), (pg_temp.fx('due'), 'time'), (pg_temp.fx('woke'), 'time')$$,
    'the fired intentions should come by priority, then deadline (none last), then age, each with its reason');
SELECT results_eq(
    $$SELECT id, reason FROM vestige.check_intentions(p_at => '2030-06-01 12:00Z')$$,
    $$VALUES (pg_temp.fx('deadline'), 'deadline'), (pg_temp.fx('overdue'), 'deadline'),
             (pg_temp.fx('due'), 'time'), (pg_temp.fx('woke'), 'time')$$,
    'without a context only time triggers and passed deadlines should fire');
SELECT set_eq(
    $$SELECT id FROM vestige.check_intentions(p_context => 'session_start', p_at => '2030-06-01 12:00Z') WHERE reason = 'event'$$,
    ARRAY[pg_temp.fx('event')],
    'an event trigger should fire when the context is its event');
SELECT is_empty(
    $$SELECT id FROM vestige.check_intentions(p_context => 'before session_start', p_at => '2030-06-01 12:00Z') WHERE reason = 'event'$$,
    'an event trigger should not fire when the context only contains its event');
SELECT set_eq(
    $$SELECT id FROM vestige.check_intentions(p_context => 'notes for the next RELEASE', p_at => '2030-01-02') $$,
    ARRAY[pg_temp.fx('context')],
    'a context trigger should fire on any keyword, case-insensitively, and nothing else before its time');
SELECT is_empty(
    $$SELECT id FROM vestige.check_intentions(p_context => 'lunch plans', p_at => '2030-01-02')$$,
    'nothing should fire before any time, deadline or matching context');
SELECT is_empty(
    $$SELECT id FROM vestige.check_intentions(p_context => 'deploy garbage zebra', p_at => '2030-06-01 12:00Z')
       WHERE id IN (pg_temp.fx('manual'), pg_temp.fx('asleep'), pg_temp.fx('done'), pg_temp.fx('later'),
                    pg_temp.fx('bad_at'), pg_temp.fx('bad_words'))$$,
    'manual, still snoozed, fulfilled, not yet due and malformed intentions should not fire');
SELECT ok((SELECT bool_and(c.content = i.content AND c.trigger_type = i.trigger_type AND c.trigger_data = i.trigger_data
                           AND c.priority = i.priority AND c.status = i.status AND c.owner_user_id = i.owner_user_id
                           AND c.tags = i.tags AND c.created_at = i.created_at)
             FROM vestige.check_intentions(p_at => '2030-06-01 12:00Z') AS c
             JOIN vestige.intentions AS i USING (id)),
          'the returned columns should be those of the intention');
SELECT is((SELECT count(*) FROM vestige.check_intentions(p_at => '2100-01-01')), 6::bigint,
          'far in the future every time or deadline intention of alice should fire, and no manual, context or event one');
SELECT is((SELECT reason FROM vestige.check_intentions(p_at => '2030-06-02 00:00Z') WHERE id = pg_temp.fx('asleep')), 'time',
          'a snoozed intention should fire again once its snoozed_until has come');

-- Bob sees only his own; Carol has none.
SELECT vestige_test.act_as(pg_temp.fx('bob'));
SELECT results_eq(
    $$SELECT id, reason FROM vestige.check_intentions(p_context => 'deploy', p_at => '2030-06-01 12:00Z')$$,
    $$VALUES (pg_temp.fx('bob_due'), 'time'), (pg_temp.fx('bob_ctx'), 'context')$$,
    'bob should get his own fired intentions only, never alice''s');
SELECT is((SELECT count(*) FROM vestige.intentions WHERE owner_user_id = pg_temp.fx('alice')), 0::bigint,
          'alice''s intentions should be invisible to bob by direct SELECT');
SELECT vestige_test.act_as(pg_temp.fx('carol'));
SELECT is_empty($$SELECT * FROM vestige.check_intentions(p_context => 'deploy', p_at => '2100-01-01')$$,
                'a user without intentions should get nothing');

-- NULL time means now; read-only.
SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT set_eq($$SELECT id FROM vestige.check_intentions(p_at => NULL)$$,
              $$SELECT id FROM vestige.check_intentions(p_at => now())$$,
              'a NULL time should mean now');
RESET ROLE;
SELECT is((SELECT count(*) FROM vestige.intentions WHERE status = 'active'), 11::bigint,
          'checking should not change any status');
SELECT is((SELECT count(*) FROM vestige.intentions WHERE updated_at <> created_at), 0::bigint,
          'checking should not touch any intention');
SELECT is((SELECT count(*) FROM vestige.intentions), 14::bigint, 'checking should not add or remove intentions');

SELECT * FROM finish();
ROLLBACK;
