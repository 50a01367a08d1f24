-- pgTAP: vestige.memory_timeline counts the visible memories per UTC day of their event time
-- (valid_from, else created_at).
BEGIN;
SELECT plan(8);

SELECT is_definer('vestige', 'memory_timeline', ARRAY['integer'], 'memory_timeline should be SECURITY DEFINER');

SELECT vestige_test.memory(vestige_test.user('alice'), 'today one');
SELECT vestige_test.memory(vestige_test.user('alice'), 'today two');
SELECT vestige_test.memory(vestige_test.user('alice'), 'three days ago');
SELECT vestige_test.memory(vestige_test.user('alice'), 'last year');
SELECT vestige_test.memory(vestige_test.user('alice'), 'stored today, happened two days ago');
SELECT vestige_test.memory(vestige_test.user('alice'), 'stored last year, happened today');
SELECT vestige_test.memory(vestige_test.user('alice'), 'planned for next week');
SELECT vestige_test.memory(vestige_test.user('alice'), 'first moment of the 7-day window');
SELECT vestige_test.memory(vestige_test.user('alice'), 'last moment before the 7-day window');
SELECT vestige_test.memory(vestige_test.user('bob'), 'bob private today');
UPDATE vestige.knowledge_nodes SET created_at = now() - interval '3 days' WHERE content = 'three days ago';
UPDATE vestige.knowledge_nodes SET created_at = now() - interval '400 days' WHERE content = 'last year';
UPDATE vestige.knowledge_nodes SET valid_from = now() - interval '2 days' WHERE content = 'stored today, happened two days ago';
UPDATE vestige.knowledge_nodes SET created_at = now() - interval '400 days', valid_from = now()
 WHERE content = 'stored last year, happened today';
UPDATE vestige.knowledge_nodes SET valid_from = now() + interval '7 days' WHERE content = 'planned for next week';
UPDATE vestige.knowledge_nodes SET valid_from = ((now() AT TIME ZONE 'UTC')::date - 6)::timestamp AT TIME ZONE 'UTC'
 WHERE content = 'first moment of the 7-day window';
UPDATE vestige.knowledge_nodes
   SET valid_from = ((now() AT TIME ZONE 'UTC')::date - 6)::timestamp AT TIME ZONE 'UTC' - interval '1 microsecond'
 WHERE content = 'last moment before the 7-day window';

SELECT vestige_test.act_as(vestige_test.user('alice'));
SET LOCAL ROLE vestige_app;

SELECT results_eq(
    $$SELECT day, memories FROM vestige.memory_timeline(p_days => 7)$$,
    $$VALUES ((now() AT TIME ZONE 'UTC')::date - 6, 1::bigint), ((now() AT TIME ZONE 'UTC')::date - 3, 1::bigint),
             ((now() AT TIME ZONE 'UTC')::date - 2, 1::bigint), ((now() AT TIME ZONE 'UTC')::date, 3::bigint)$$,
    'the last 7 days should count alice''s memories per day of their event time (valid_from, else created_at), '
    'oldest day first, from the first moment of the window on, without bob''s private one');
SELECT is((SELECT sum(memories) FROM vestige.memory_timeline(p_days => 1)), 3::numeric,
          'one day should be today only: two stored today and one stored last year that happened today');
SELECT is((SELECT sum(memories) FROM vestige.memory_timeline(p_days => 3660)), 8::numeric,
          'a long window should include last year and the moment before the 7-day window, by their event time');
SELECT is((SELECT max(day) FROM vestige.memory_timeline(p_days => 3660)), (now() AT TIME ZONE 'UTC')::date,
          'an event time after today should be left out');
SET LOCAL TimeZone = 'Pacific/Kiritimati';
SELECT results_eq(
    $$SELECT day, memories FROM vestige.memory_timeline(p_days => 7)$$,
    $$VALUES ((now() AT TIME ZONE 'UTC')::date - 6, 1::bigint), ((now() AT TIME ZONE 'UTC')::date - 3, 1::bigint),
             ((now() AT TIME ZONE 'UTC')::date - 2, 1::bigint), ((now() AT TIME ZONE 'UTC')::date, 3::bigint)$$,
    'the days should be UTC days whatever the session''s time zone (here UTC+14)');
RESET TimeZone;
SELECT throws_ok($$SELECT * FROM vestige.memory_timeline(p_days => 0)$$, 'VS006', NULL,
                 '0 days should raise VS006');
SELECT throws_ok($$SELECT * FROM vestige.memory_timeline(p_days => 3661)$$, 'VS006', NULL,
                 '3661 days should raise VS006');

SELECT * FROM finish();
ROLLBACK;
