-- pgTAP: vestige.get_scheduling returns the scheduling row and the retrievability now (as
-- py-fsrs 6.3.2's get_card_retrievability) of visible memories only. Alice owns the memories;
-- Bob shares a group with her; Carol is a stranger.
BEGIN;
SELECT plan(15);

SELECT vestige_test.user('alice'), vestige_test.user('bob'), vestige_test.user('carol');
SELECT vestige_test.group('fsrs-team', vestige_test.user('alice'), ARRAY[vestige_test.user('bob')]);
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT vestige.insert_memory(p_content => 'alice private', p_id => 'a0000000-0000-4000-8000-000000000001');
SELECT vestige.insert_memory(p_content => 'alice group', p_visibility => 'group',
    p_shared_with_groups => ARRAY[(SELECT g.id FROM vestige.groups AS g WHERE g.name = 'fsrs-team')],
    p_id => 'a0000000-0000-4000-8000-000000000002');
SELECT vestige.insert_memory(p_content => 'alice public', p_visibility => 'public', p_id => 'a0000000-0000-4000-8000-000000000003');

SELECT has_function('vestige', 'get_scheduling', ARRAY['uuid'], 'vestige.get_scheduling(memory id) should exist');
SELECT is_definer('vestige', 'get_scheduling', ARRAY['uuid'], 'vestige.get_scheduling should be SECURITY DEFINER');
SELECT volatility_is('vestige', 'get_scheduling', ARRAY['uuid'], 'stable', 'vestige.get_scheduling should be stable');

SET LOCAL ROLE vestige_app;

SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT results_eq(
    $$SELECT g.memory_id, g.state, g.step, g.stability, g.difficulty, g.retrievability, g.reps, g.lapses,
             g.last_review, g.next_review = now(), g.retrievability_now
        FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000001') AS g$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000001'::uuid, 'new', NULL::integer, NULL::double precision,
              NULL::double precision, 1.0::double precision, 0, 0, NULL::timestamptz, true, 0.0::double precision)$$,
    'the owner should see a new private memory: state new, due now, retrievability now 0 as py-fsrs gives a new card');
SELECT results_eq($$SELECT g.memory_id FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000002') AS g$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000002'::uuid)$$, 'the owner should see her group memory');
SELECT results_eq($$SELECT g.memory_id FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000003') AS g$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000003'::uuid)$$, 'the owner should see her public memory');

-- easy 30 days (720 hours) ago: S = 8.2956; py-fsrs gives R = 0.7917787593364196 after 30 whole days
SELECT vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => 4,
                      p_reviewed_at => now() - interval '720 hours');
SELECT results_eq(
    $$SELECT g.state, g.reps, g.stability, g.last_review = now() - interval '720 hours',
             round(g.retrievability_now::numeric, 12)
        FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000002') AS g$$,
    $$VALUES ('review', 1, 8.2956::double precision, true, round(0.7917787593364196, 12))$$,
    'after a review 30 days ago the row should show it and retrievability now should equal py-fsrs');

SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT throws_ok($$SELECT * FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000001')$$,
    'VS008', NULL, 'a private memory of Alice should not be visible to Bob');
SELECT results_eq($$SELECT g.memory_id, g.state FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000002') AS g$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000002'::uuid, 'review')$$, 'a group member should see the group memory''s schedule');
SELECT results_eq($$SELECT g.memory_id FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000003') AS g$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000003'::uuid)$$, 'a group member should see a public memory');

SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT throws_ok($$SELECT * FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000001')$$,
    'VS008', NULL, 'a private memory should not be visible to a stranger');
SELECT throws_ok($$SELECT * FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000002')$$,
    'VS008', NULL, 'a group memory should not be visible to a stranger');
SELECT results_eq($$SELECT g.memory_id FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000003') AS g$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000003'::uuid)$$, 'a stranger should see a public memory');
SELECT throws_ok($$SELECT * FROM vestige.get_scheduling(p_memory_id => '00000000-0000-4000-8000-00000000dead')$$,
    'VS008', NULL, 'an unknown memory should not be found');

SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.get_scheduling(p_memory_id => 'a0000000-0000-4000-8000-000000000003')$$,
    'VS001', NULL, 'a caller without identity should be refused');

SELECT * FROM finish();
ROLLBACK;
