-- pgTAP: vestige.memory_timeline counts the visible memories created per UTC day.
BEGIN;
SELECT plan(5);

SELECT is_definer('vestige', 'memory_timeline', ARRAY['integer'], 'memory_timeline should be SECURITY DEFINER');

SELECT vestige_test.memory(vestige_test.user('alice'), 'today one');
SELECT vestige_test.memory(vestige_test.user('alice'), 'today two');
SELECT vestige_test.memory(vestige_test.user('alice'), 'three days ago');
SELECT vestige_test.memory(vestige_test.user('alice'), 'last year');
SELECT vestige_test.memory(vestige_test.user('bob'), 'bob private today');
UPDATE vestige.knowledge_nodes SET created_at = now() - interval '3 days' WHERE content = 'three days ago';
UPDATE vestige.knowledge_nodes SET created_at = now() - interval '400 days' WHERE content = 'last year';

SELECT vestige_test.act_as(vestige_test.user('alice'));
SET LOCAL ROLE vestige_app;

SELECT results_eq(
    $$SELECT day, memories FROM vestige.memory_timeline(p_days => 7)$$,
    $$VALUES ((now() AT TIME ZONE 'UTC')::date - 3, 1::bigint), ((now() AT TIME ZONE 'UTC')::date, 2::bigint)$$,
    'the last 7 days should count alice''s memories per day, oldest day first, without bob''s private one');
SELECT is((SELECT sum(memories) FROM vestige.memory_timeline(p_days => 1)), 2::numeric,
          'one day should be today only');
SELECT is((SELECT sum(memories) FROM vestige.memory_timeline(p_days => 3660)), 4::numeric,
          'a long window should include last year');
SELECT throws_ok($$SELECT * FROM vestige.memory_timeline(p_days => 0)$$, 'VS006', NULL,
                 '0 days should raise VS006');

SELECT * FROM finish();
ROLLBACK;
