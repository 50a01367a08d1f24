-- pgTAP: vestige.review applies FSRS-6 (numbers from py-fsrs 6.3.2), logs review events, and
-- lets only the owner review. Alice owns the memories; Bob shares a group with her; Carol is a
-- stranger.
BEGIN;
SELECT plan(32);

SELECT vestige_test.user('alice'), vestige_test.user('bob'), vestige_test.user('carol');
SELECT vestige_test.group('fsrs-team', vestige_test.user('alice'), ARRAY[vestige_test.user('bob')]);
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT vestige.insert_memory(p_content => 'alice private', p_id => 'a0000000-0000-4000-8000-000000000001');
SELECT vestige.insert_memory(p_content => 'alice group', p_visibility => 'group',
    p_shared_with_groups => ARRAY[(SELECT g.id FROM vestige.groups AS g WHERE g.name = 'fsrs-team')],
    p_id => 'a0000000-0000-4000-8000-000000000002');
SELECT vestige.insert_memory(p_content => 'alice public', p_visibility => 'public', p_id => 'a0000000-0000-4000-8000-000000000003');
SELECT vestige.insert_memory(p_content => 'alice reviewed now', p_id => 'a0000000-0000-4000-8000-000000000004');
SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT vestige.insert_memory(p_content => 'bob group', p_visibility => 'group',
    p_shared_with_groups => ARRAY[(SELECT g.id FROM vestige.groups AS g WHERE g.name = 'fsrs-team')],
    p_id => 'b0000000-0000-4000-8000-000000000001');

SELECT has_function('vestige', 'review', ARRAY['uuid', 'integer', 'timestamp with time zone'],
    'vestige.review(memory id, rating, reviewed at) should exist');
SELECT is_definer('vestige', 'review', ARRAY['uuid', 'integer', 'timestamp with time zone'],
    'vestige.review should be SECURITY DEFINER');
SELECT ok(has_function_privilege('vestige_app', 'vestige.review(uuid, integer, timestamptz)', 'EXECUTE'),
    'vestige_app should be allowed to call vestige.review');

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));

-- the FSRS path new -> learning -> review -> relearning -> review
SELECT results_eq(
    $$SELECT r.memory_id, r.state, r.step, r.reps, r.lapses, r.stability, round(r.difficulty::numeric, 12),
             r.retrievability, r.last_review, r.next_review
        FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000001', p_rating => 3,
                            p_reviewed_at => '2026-01-01 00:00:00+00') AS r$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000001'::uuid, 'learning', 1, 1, 0, 2.3065::double precision,
              round(2.118103970459016, 12), 1.0::double precision, '2026-01-01 00:00:00+00'::timestamptz,
              '2026-01-01 00:10:00+00'::timestamptz)$$,
    'a first review rated good should give py-fsrs''s values: learning step 1, S 2.3065, D 2.118103970459, due in 10 minutes');
SELECT results_eq(
    $$SELECT s.state, s.step, s.reps, s.stability, s.last_review, s.next_review
        FROM vestige.scheduling AS s WHERE s.memory_id = 'a0000000-0000-4000-8000-000000000001'$$,
    $$VALUES ('learning', 1, 1, 2.3065::double precision, '2026-01-01 00:00:00+00'::timestamptz, '2026-01-01 00:10:00+00'::timestamptz)$$,
    'the scheduling row should hold the state that review returned');
SELECT results_eq(
    $$SELECT e.rating::integer, e.reviewed_at, e.prior_state->>'state', e.new_state->>'state', (e.new_state->>'step')::integer,
             (e.new_state->>'stability')::double precision
        FROM vestige.review_events AS e WHERE e.memory_id = 'a0000000-0000-4000-8000-000000000001'$$,
    $$VALUES (3, '2026-01-01 00:00:00+00'::timestamptz, 'new', 'learning', 1, 2.3065::double precision)$$,
    'the review should append one event with the rating and the scheduling state before and after');
SELECT results_eq(
    $$SELECT r.state, r.step, r.reps, r.next_review
        FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000001', p_rating => 3,
                            p_reviewed_at => '2026-01-01 00:10:00+00') AS r$$,
    $$VALUES ('review', NULL::integer, 2, '2026-01-03 00:10:00+00'::timestamptz)$$,
    'good on the last learning step should graduate to review, due in 2 days');
SELECT results_eq(
    $$SELECT r.state, r.step, r.reps, r.lapses, round(r.stability::numeric, 12), round(r.difficulty::numeric, 12), r.next_review
        FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000001', p_rating => 1,
                            p_reviewed_at => '2026-01-03 05:10:00+00') AS r$$,
    $$VALUES ('relearning', 0, 3, 1, round(0.6077016626638644, 12), round(7.392238132342694, 12), '2026-01-03 05:20:00+00'::timestamptz)$$,
    'again in review should lapse into relearning with lapses + 1 and py-fsrs''s post-lapse stability');
SELECT results_eq(
    $$SELECT r.state, r.step, r.reps, r.lapses, round(r.stability::numeric, 12), round(r.difficulty::numeric, 12), r.next_review
        FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000001', p_rating => 3,
                            p_reviewed_at => '2026-01-03 05:20:00+00') AS r$$,
    $$VALUES ('review', NULL::integer, 4, 1, round(0.6597976257475758, 12), round(7.38007426350719, 12), '2026-01-04 05:20:00+00'::timestamptz)$$,
    'good in relearning should return to review, keeping the lapse count');
SELECT is(
    (SELECT array_agg(e.rating::integer ORDER BY e.id) FROM vestige.review_events AS e
      WHERE e.memory_id = 'a0000000-0000-4000-8000-000000000001'),
    ARRAY[3, 3, 1, 3],
    'every review should append one event, in order');
SELECT ok(
    (SELECT bool_and(e.prior_state = e.previous_new_state)
       FROM (SELECT e.prior_state, lag(e.new_state) OVER (ORDER BY e.id) AS previous_new_state
               FROM vestige.review_events AS e
              WHERE e.memory_id = 'a0000000-0000-4000-8000-000000000001') AS e
      WHERE e.previous_new_state IS NOT NULL),
    'each event''s prior state should be the previous event''s new state');
SELECT results_eq(
    $$SELECT r.state, r.last_review = now(), r.next_review = now() + interval '192 hours'
        FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000004', p_rating => 4) AS r$$,
    $$VALUES ('review', true, true)$$,
    'a review without a time should happen now; easy on a new memory should schedule 8 days');

-- only the owner may review
SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => 3)$$,
    'VS009', NULL, 'a group member should not review the owner''s group memory');
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000003', p_rating => 3)$$,
    'VS009', NULL, 'another user should not review a public memory');
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000001', p_rating => 3)$$,
    'VS008', NULL, 'a group member should not find the owner''s private memory');
SELECT lives_ok($$SELECT * FROM vestige.review(p_memory_id => 'b0000000-0000-4000-8000-000000000001', p_rating => 2,
                                               p_reviewed_at => '2026-01-01 00:00:00+00')$$,
    'a group member should review his own group memory');
SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => 3)$$,
    'VS008', NULL, 'a stranger should not find a group memory');
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000001', p_rating => 3)$$,
    'VS008', NULL, 'a stranger should not find a private memory');
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000003', p_rating => 3)$$,
    'VS009', NULL, 'a stranger should not review a public memory');

-- bad input
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'b0000000-0000-4000-8000-000000000001', p_rating => 3)$$,
    'VS009', NULL, 'the group admin should not review a member''s group memory');
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => '00000000-0000-4000-8000-00000000dead', p_rating => 3)$$,
    'VS008', NULL, 'an unknown memory should not be found');
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => 0)$$,
    'VS006', NULL, 'a rating of 0 should be refused');
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => 5)$$,
    'VS006', NULL, 'a rating of 5 should be refused');
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => NULL)$$,
    'VS006', NULL, 'a NULL rating should be refused');
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000001', p_rating => 3,
                                                p_reviewed_at => '2026-01-03 05:19:59+00')$$,
    'VS006', NULL, 'a review before the memory''s last review should be refused');
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => 3,
                                                p_reviewed_at => NULL)$$,
    'VS006', NULL, 'a NULL review time should be refused');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => 3)$$,
    'VS001', NULL, 'a review without a caller identity should be refused');

-- nothing above changed anything
RESET ROLE;
SELECT results_eq(
    $$SELECT s.memory_id::text, s.state, s.reps, s.lapses, s.last_review FROM vestige.scheduling AS s ORDER BY s.memory_id$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000001', 'review', 4, 1, '2026-01-03 05:20:00+00'::timestamptz),
             ('a0000000-0000-4000-8000-000000000002', 'new', 0, 0, NULL),
             ('a0000000-0000-4000-8000-000000000003', 'new', 0, 0, NULL),
             ('a0000000-0000-4000-8000-000000000004', 'review', 1, 0, now()),
             ('b0000000-0000-4000-8000-000000000001', 'learning', 1, 0, '2026-01-01 00:00:00+00'::timestamptz)$$,
    'refused reviews, including of other users'' shared memories, should change no scheduling row');
SELECT is((SELECT count(*) FROM vestige.review_events), 6::bigint,
    'refused reviews should append no review event');

-- A review "now" that waited while another review of the same memory committed (simulated: the
-- last review is set to the clock, after this transaction's now()) is applied when it gets the
-- lock; an explicit time before the last review is still refused.
UPDATE vestige.scheduling SET last_review = clock_timestamp() WHERE memory_id = 'a0000000-0000-4000-8000-000000000004';
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT throws_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000004', p_rating => 3,
                                                p_reviewed_at => now() - interval '1 second')$$,
    'VS006', NULL, 'an explicit review time before a review committed meanwhile should be refused');
SELECT lives_ok($$SELECT * FROM vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000004', p_rating => 3)$$,
    'a review now should count after a review committed while it waited');
RESET ROLE;
SELECT ok((SELECT reps = 2 AND last_review > now() FROM vestige.scheduling WHERE memory_id = 'a0000000-0000-4000-8000-000000000004'),
    'it should be applied at the moment it got the lock, after the other review');

SELECT * FROM finish();
ROLLBACK;
