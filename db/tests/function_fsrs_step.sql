-- pgTAP: vestige.fsrs_step, the pure FSRS-6 transition, against numbers taken from py-fsrs 6.3.2
-- (Scheduler(enable_fuzzing=False) with its defaults, Card/review_card with the same prior state).
-- Runs in a zone with daylight saving time: due dates must move by whole 86400-second days.
BEGIN;
SELECT plan(22);

SET LOCAL TimeZone = 'America/New_York';

-- One review of a card in the given state; stability and difficulty rounded to 12 decimals.
CREATE FUNCTION pg_temp.step(
    p_state text, p_step integer, p_stability double precision, p_difficulty double precision,
    p_last_review timestamptz, p_rating integer, p_reviewed_at timestamptz
) RETURNS TABLE (state text, step integer, stability numeric, difficulty numeric, next_review timestamptz)
LANGUAGE sql AS $$
    SELECT f.state, f.step, round(f.stability::numeric, 12), round(f.difficulty::numeric, 12), f.next_review
      FROM vestige.fsrs_step(p_state => p_state, p_step => p_step, p_stability => p_stability,
                             p_difficulty => p_difficulty, p_reps => 0, p_lapses => 0,
                             p_last_review => p_last_review, p_rating => p_rating,
                             p_reviewed_at => p_reviewed_at) AS f
$$;

SELECT has_function('vestige', 'fsrs_step',
    ARRAY['text', 'integer', 'double precision', 'double precision', 'integer', 'integer', 'timestamp with time zone', 'integer', 'timestamp with time zone'],
    'the private helper vestige.fsrs_step should exist');
SELECT ok(NOT has_function_privilege('vestige_app',
        'vestige.fsrs_step(text, integer, double precision, double precision, integer, integer, timestamptz, integer, timestamptz)', 'EXECUTE')
      AND NOT has_function_privilege('vestige_app', 'vestige.fsrs_parameters()', 'EXECUTE'),
    'vestige_app should not execute the private FSRS helpers');
SELECT results_eq(
    $$SELECT p.w::text, p.desired_retention, p.maximum_interval, p.learning_steps::text, p.relearning_steps::text
        FROM vestige.fsrs_parameters() AS p$$,
    $$VALUES ('[0:20]={0.212,1.2931,2.3065,8.2956,6.4133,0.8334,3.0194,0.001,1.8722,0.1666,0.796,1.4835,0.0614,0.2629,1.6483,0.6014,1.8729,0.5425,0.0912,0.0658,0.1542}',
              0.9::double precision, 36500, '[0:1]={00:01:00,00:10:00}', '[0:0]={00:10:00}')$$,
    'the FSRS parameters should be py-fsrs 6.3.2 defaults: 21 weights, retention 0.9, 36500 days, steps 1 and 10 min, relearning 10 min');

-- a new memory: py-fsrs's fresh card (Learning, step 0, no stability)
SELECT results_eq($$SELECT * FROM pg_temp.step('new', NULL, NULL, NULL, NULL, 1, '2026-01-01 00:00:00+00')$$,
    $$VALUES ('learning', 0, 0.212000000000, 6.413300000000, '2026-01-01 00:01:00+00'::timestamptz)$$,
    'a new memory rated again should start learning at step 0 with S = w0, D = w4, due in 1 minute');
SELECT results_eq($$SELECT * FROM pg_temp.step('new', NULL, NULL, NULL, NULL, 2, '2026-01-01 00:00:00+00')$$,
    $$VALUES ('learning', 0, 1.293100000000, round(5.112170705601056, 12), '2026-01-01 00:05:30+00'::timestamptz)$$,
    'a new memory rated hard should stay at step 0, due halfway between the steps (5.5 minutes)');
SELECT results_eq($$SELECT * FROM pg_temp.step('new', NULL, NULL, NULL, NULL, 3, '2026-01-01 00:00:00+00')$$,
    $$VALUES ('learning', 1, 2.306500000000, round(2.118103970459016, 12), '2026-01-01 00:10:00+00'::timestamptz)$$,
    'a new memory rated good should move to learning step 1, due in 10 minutes');
SELECT results_eq($$SELECT * FROM pg_temp.step('new', NULL, NULL, NULL, NULL, 4, '2026-01-01 00:00:00+00')$$,
    $$VALUES ('review', NULL::integer, 8.295600000000, 1.000000000000, '2026-01-09 00:00:00+00'::timestamptz)$$,
    'a new memory rated easy should go straight to review with S = w3, D clamped to 1, due in 8 days');

-- learning
SELECT results_eq($$SELECT * FROM pg_temp.step('learning', 0, 0.212, 6.4133, '2026-01-01 00:00:00+00', 1, '2026-01-01 00:01:00+00')$$,
    $$VALUES ('learning', 0, round(0.08335671711031604, 12), round(8.806304468856837, 12), '2026-01-01 00:02:00+00'::timestamptz)$$,
    'learning rated again the same day should apply the short-term stability and restart at step 0');
SELECT results_eq($$SELECT * FROM pg_temp.step('learning', 1, 2.3065, 2.118103970459016, '2026-01-01 00:00:00+00', 2, '2026-01-01 00:10:00+00')$$,
    $$VALUES ('learning', 1, 2.306500000000, round(4.752858488532557, 12), '2026-01-01 00:20:00+00'::timestamptz)$$,
    'learning step 1 rated hard should stay at step 1 and repeat the 10-minute step');
SELECT results_eq($$SELECT * FROM pg_temp.step('learning', 1, 2.3065, 2.118103970459016, '2026-01-01 00:00:00+00', 3, '2026-01-01 00:10:00+00')$$,
    $$VALUES ('review', NULL::integer, 2.306500000000, round(2.111214235785395, 12), '2026-01-03 00:10:00+00'::timestamptz)$$,
    'learning step 1 rated good should graduate to review with a 2-day interval');
SELECT results_eq($$SELECT * FROM pg_temp.step('learning', 1, 2.3065, 2.118103970459016, '2026-01-01 00:00:00+00', 3, '2026-01-04 00:00:00+00')$$,
    $$VALUES ('review', NULL::integer, round(13.826903694354568, 12), round(2.111214235785395, 12), '2026-01-18 00:00:00+00'::timestamptz)$$,
    'learning reviewed 3 days later should use the long-term recall stability');

-- review
SELECT results_eq($$SELECT * FROM pg_temp.step('review', NULL, 8.2956, 1.0, '2026-01-01 00:00:00+00', 3, '2026-01-09 00:00:00+00')$$,
    $$VALUES ('review', NULL::integer, round(38.90514998232684, 12), 1.000000000000, '2026-02-17 00:00:00+00'::timestamptz)$$,
    'review rated good on the due date should grow stability to 38.905 and schedule 39 days');
SELECT results_eq($$SELECT * FROM pg_temp.step('review', NULL, 8.2956, 1.0, '2026-01-01 00:00:00+00', 2, '2026-01-09 23:00:00+00')$$,
    $$VALUES ('review', NULL::integer, round(26.704183359371363, 12), round(4.010608969296839, 12), '2026-02-05 23:00:00+00'::timestamptz)$$,
    'review rated hard should apply the hard penalty and raise the difficulty');
SELECT results_eq($$SELECT * FROM pg_temp.step('review', NULL, 8.2956, 1.0, '2026-01-01 00:00:00+00', 4, '2026-01-21 00:00:00+00')$$,
    $$VALUES ('review', NULL::integer, round(111.58629207285774, 12), 1.000000000000, '2026-05-13 00:00:00+00'::timestamptz)$$,
    'review rated easy late should apply the easy bonus');
SELECT results_eq($$SELECT * FROM pg_temp.step('review', NULL, 2.3065, 2.111214235785395, '2026-01-01 00:10:00+00', 1, '2026-01-03 05:10:00+00')$$,
    $$VALUES ('relearning', 0, round(0.6077016626638644, 12), round(7.392238132342694, 12), '2026-01-03 05:20:00+00'::timestamptz)$$,
    'review rated again should lapse into relearning step 0 with the post-lapse stability, due in 10 minutes');
SELECT results_eq($$SELECT * FROM pg_temp.step('review', NULL, 8.2956, 1.0, '2026-01-01 00:00:00+00', 1, '2026-01-01 06:00:00+00')$$,
    $$VALUES ('relearning', 0, round(2.5625081682260777, 12), round(7.0269895692968385, 12), '2026-01-01 06:10:00+00'::timestamptz)$$,
    'review rated again the same day should use the short-term stability');

-- relearning
SELECT results_eq($$SELECT * FROM pg_temp.step('relearning', 0, 0.6077016626638644, 7.392238132342694, '2026-01-03 05:10:00+00', 3, '2026-01-03 05:20:00+00')$$,
    $$VALUES ('review', NULL::integer, round(0.6597976257475758, 12), round(7.38007426350719, 12), '2026-01-04 05:20:00+00'::timestamptz)$$,
    'relearning rated good should return to review with a 1-day interval');
SELECT results_eq($$SELECT * FROM pg_temp.step('relearning', 0, 0.6077016626638644, 7.392238132342694, '2026-01-01 00:00:00+00', 2, '2026-01-01 00:10:00+00')$$,
    $$VALUES ('relearning', 0, round(0.6077016626638644, 12), round(8.254074519842886, 12), '2026-01-01 00:25:00+00'::timestamptz)$$,
    'relearning rated hard on its only step should wait 1.5 times the step (15 minutes)');

-- bookkeeping and time zones
SELECT results_eq(
    $$SELECT f.retrievability, f.reps, f.lapses, f.last_review
        FROM vestige.fsrs_step(p_state => 'review', p_step => NULL, p_stability => 8.2956, p_difficulty => 1.0,
                               p_reps => 4, p_lapses => 1, p_last_review => '2026-01-01 00:00:00+00',
                               p_rating => 1, p_reviewed_at => '2026-01-20 00:00:00+00') AS f
      UNION ALL
      SELECT f.retrievability, f.reps, f.lapses, f.last_review
        FROM vestige.fsrs_step(p_state => 'relearning', p_step => 0, p_stability => 1.5, p_difficulty => 7.0,
                               p_reps => 5, p_lapses => 2, p_last_review => '2026-01-20 00:00:00+00',
                               p_rating => 1, p_reviewed_at => '2026-01-20 00:10:00+00') AS f$$,
    $$VALUES (1.0::double precision, 5, 2, '2026-01-20 00:00:00+00'::timestamptz),
             (1.0::double precision, 6, 2, '2026-01-20 00:10:00+00'::timestamptz)$$,
    'every review should add a rep and set retrievability 1; only again in review should add a lapse');
SELECT is((SELECT f.next_review FROM pg_temp.step('new', NULL, NULL, NULL, NULL, 4, '2026-03-01 12:00:00+00') AS f),
    '2026-03-09 12:00:00+00'::timestamptz,
    'an 8-day interval across the start of daylight saving time should be exactly 8 x 86400 seconds');

SELECT throws_ok($$SELECT * FROM pg_temp.step('new', NULL, NULL, NULL, NULL, 0, '2026-01-01 00:00:00+00')$$,
    'VS006', NULL, 'a rating of 0 should be refused as invalid input');
SELECT throws_ok($$SELECT * FROM pg_temp.step('review', NULL, 8.2956, 1.0, '2026-01-02 00:00:00+00', 3, '2026-01-01 00:00:00+00')$$,
    'VS006', NULL, 'a review before the last review should be refused as invalid input');

SELECT * FROM finish();
ROLLBACK;
