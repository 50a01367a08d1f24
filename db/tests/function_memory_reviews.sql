-- pgTAP: vestige.memory_reviews — the review history of visible memories only, newest first.
-- Alice owns the memories; Bob shares a group with her; Carol is a stranger.
BEGIN;
SELECT plan(8);

SELECT vestige_test.user('alice'), vestige_test.user('bob'), vestige_test.user('carol');
SELECT vestige_test.group('review-team', vestige_test.user('alice'), ARRAY[vestige_test.user('bob')]);
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT vestige.insert_memory(p_content => 'alice private', p_id => 'a0000000-0000-4000-8000-000000000001');
SELECT vestige.insert_memory(p_content => 'alice group', p_visibility => 'group',
    p_shared_with_groups => ARRAY[vestige_test.group_id('review-team')], p_id => 'a0000000-0000-4000-8000-000000000002');

SELECT volatility_is('vestige', 'memory_reviews', ARRAY['uuid', 'integer'], 'stable', 'vestige.memory_reviews should be stable');

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT is_empty($$SELECT * FROM vestige.memory_reviews(p_memory_id => 'a0000000-0000-4000-8000-000000000002')$$,
                'a memory never reviewed should have no history');
SELECT vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => 3, p_reviewed_at => now() - interval '2 days');
SELECT vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => 1, p_reviewed_at => now() - interval '1 day');
SELECT results_eq(
    $$SELECT r.reviewed_at, r.rating, r.state_before, r.state_after, r.next_review IS NOT NULL, r.difficulty IS NOT NULL
        FROM vestige.memory_reviews(p_memory_id => 'a0000000-0000-4000-8000-000000000002') AS r$$,
    $$VALUES (now() - interval '1 day', 1, 'learning', 'learning', true, true),
             (now() - interval '2 days', 3, 'new', 'learning', true, true)$$,
    'the owner should see both reviews, newest first, with the rating and the states before and after');
SELECT results_eq(
    $$SELECT r.rating FROM vestige.memory_reviews(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_limit => 1) AS r$$,
    $$VALUES (1)$$, 'p_limit should keep the newest reviews');
SELECT throws_ok($$SELECT * FROM vestige.memory_reviews(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_limit => 0)$$,
    'VS006', NULL, 'a limit of 0 should be refused');

SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT results_eq($$SELECT count(*)::integer FROM vestige.memory_reviews(p_memory_id => 'a0000000-0000-4000-8000-000000000002')$$,
    $$VALUES (2)$$, 'a group member should see the history of a group memory');
SELECT throws_ok($$SELECT * FROM vestige.memory_reviews(p_memory_id => 'a0000000-0000-4000-8000-000000000001')$$,
    'VS008', NULL, 'a private memory of Alice should not be visible to Bob');

SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT throws_ok($$SELECT * FROM vestige.memory_reviews(p_memory_id => 'a0000000-0000-4000-8000-000000000002')$$,
    'VS008', NULL, 'a group memory should not be visible to a stranger');

SELECT * FROM finish();
ROLLBACK;
