-- pgTAP: vestige.due_memories lists the caller's own due memories, oldest due first, ties by id.
-- Alice and Bob share a group; Carol is a stranger. Due times are set relative to now().
BEGIN;
SELECT plan(17);

SELECT vestige_test.user('alice'), vestige_test.user('bob'), vestige_test.user('carol');
SELECT vestige_test.group('fsrs-team', vestige_test.user('alice'), ARRAY[vestige_test.user('bob')]);
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT vestige.insert_memory(p_content => 'alice private', p_id => 'a0000000-0000-4000-8000-000000000001');
SELECT vestige.insert_memory(p_content => 'alice group', p_node_type => 'decision', p_visibility => 'group',
    p_shared_with_groups => ARRAY[(SELECT g.id FROM vestige.groups AS g WHERE g.name = 'fsrs-team')],
    p_id => 'a0000000-0000-4000-8000-000000000002');
SELECT vestige.insert_memory(p_content => 'alice public', p_visibility => 'public', p_id => 'a0000000-0000-4000-8000-000000000003');
SELECT vestige.insert_memory(p_content => 'alice later', p_id => 'a0000000-0000-4000-8000-000000000004');
SELECT vestige.insert_memory(p_content => 'alice new', p_id => 'a0000000-0000-4000-8000-000000000005');
SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT vestige.insert_memory(p_content => 'bob private', p_id => 'b0000000-0000-4000-8000-000000000001');
SELECT vestige.insert_memory(p_content => 'bob group', p_visibility => 'group',
    p_shared_with_groups => ARRAY[(SELECT g.id FROM vestige.groups AS g WHERE g.name = 'fsrs-team')],
    p_id => 'b0000000-0000-4000-8000-000000000002');

UPDATE vestige.scheduling AS s
   SET next_review = now() + v.due, state = v.state, stability = v.stability, difficulty = v.difficulty, reps = v.reps,
       step = v.step
  FROM (VALUES ('a0000000-0000-4000-8000-000000000001'::uuid, interval '-2 hours', 'review', 3.5::double precision, 5.0::double precision, 3, NULL::integer),
               ('a0000000-0000-4000-8000-000000000002'::uuid, interval '-3 hours', 'learning', 2.3065, 2.1, 1, 1),
               ('a0000000-0000-4000-8000-000000000003'::uuid, interval '-3 hours', 'relearning', 0.6, 7.4, 4, 0),
               ('a0000000-0000-4000-8000-000000000004'::uuid, interval '1 hour', 'review', 40.0, 3.0, 6, NULL),
               ('b0000000-0000-4000-8000-000000000001'::uuid, interval '-4 hours', 'new', NULL, NULL, 0, NULL),
               ('b0000000-0000-4000-8000-000000000002'::uuid, interval '-5 hours', 'new', NULL, NULL, 0, NULL)
       ) AS v (memory_id, due, state, stability, difficulty, reps, step)
 WHERE s.memory_id = v.memory_id;

SELECT has_function('vestige', 'due_memories', ARRAY['timestamp with time zone', 'integer'],
    'vestige.due_memories(before, limit) should exist');
SELECT is_definer('vestige', 'due_memories', ARRAY['timestamp with time zone', 'integer'], 'vestige.due_memories should be SECURITY DEFINER');
SELECT volatility_is('vestige', 'due_memories', ARRAY['timestamp with time zone', 'integer'], 'stable', 'vestige.due_memories should be stable');

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));

SELECT results_eq(
    $$SELECT d.memory_id, d.content, d.node_type, d.state, d.next_review, d.stability, d.difficulty, d.reps
        FROM vestige.due_memories(p_before => now() - interval '1 hour') AS d$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000002'::uuid, 'alice group', 'decision', 'learning', now() - interval '3 hours', 2.3065::double precision, 2.1::double precision, 1),
             ('a0000000-0000-4000-8000-000000000003'::uuid, 'alice public', 'fact', 'relearning', now() - interval '3 hours', 0.6, 7.4, 4),
             ('a0000000-0000-4000-8000-000000000001'::uuid, 'alice private', 'fact', 'review', now() - interval '2 hours', 3.5, 5.0, 3)$$,
    'the owner should get her due memories of every visibility, oldest due first, ties by id');
SELECT results_eq(
    $$SELECT d.memory_id FROM vestige.due_memories(p_before => now() - interval '1 hour', p_limit => 2) AS d$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000002'::uuid), ('a0000000-0000-4000-8000-000000000003'::uuid)$$,
    'p_limit should keep the oldest due memories');
SELECT results_eq(
    $$SELECT d.memory_id FROM vestige.due_memories(p_before => now() - interval '3 hours') AS d$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000002'::uuid), ('a0000000-0000-4000-8000-000000000003'::uuid)$$,
    'a memory due exactly at p_before should be due');
SELECT is_empty($$SELECT * FROM vestige.due_memories(p_before => now() - interval '1 day')$$,
    'nothing should be due before the oldest due time');
SELECT results_eq(
    $$SELECT d.memory_id FROM vestige.due_memories() AS d$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000002'::uuid), ('a0000000-0000-4000-8000-000000000003'::uuid),
             ('a0000000-0000-4000-8000-000000000001'::uuid), ('a0000000-0000-4000-8000-000000000005'::uuid)$$,
    'by default the memories due now should be listed, including a new memory, not one due in an hour');
SELECT vestige.review(p_memory_id => 'a0000000-0000-4000-8000-000000000002', p_rating => 4);
SELECT results_eq(
    $$SELECT d.memory_id FROM vestige.due_memories() AS d$$,
    $$VALUES ('a0000000-0000-4000-8000-000000000003'::uuid), ('a0000000-0000-4000-8000-000000000001'::uuid),
             ('a0000000-0000-4000-8000-000000000005'::uuid)$$,
    'a memory just reviewed should no longer be due');
SELECT results_eq(
    $$SELECT count(*) FROM vestige.due_memories(p_before => now() + interval '2 hours', p_limit => 1000)$$,
    $$VALUES (4::bigint)$$,
    'p_limit 1000 should be allowed; a memory due within the window should be listed');

SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT results_eq(
    $$SELECT d.memory_id FROM vestige.due_memories() AS d$$,
    $$VALUES ('b0000000-0000-4000-8000-000000000002'::uuid), ('b0000000-0000-4000-8000-000000000001'::uuid)$$,
    'a group member should get only his own due memories, not the visible group or public memories of others');
SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT is_empty($$SELECT * FROM vestige.due_memories(p_before => now() + interval '30 days')$$,
    'a stranger without memories should have nothing due, although a public memory is visible');

SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT throws_ok($$SELECT * FROM vestige.due_memories(p_limit => 0)$$, 'VS006', NULL, 'a limit of 0 should be refused');
SELECT throws_ok($$SELECT * FROM vestige.due_memories(p_limit => 1001)$$, 'VS006', NULL, 'a limit above 1000 should be refused');
SELECT throws_ok($$SELECT * FROM vestige.due_memories(p_limit => NULL)$$, 'VS006', NULL, 'a NULL limit should be refused');
SELECT throws_ok($$SELECT * FROM vestige.due_memories(p_before => NULL)$$, 'VS006', NULL, 'a NULL p_before should be refused');
SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.due_memories()$$, 'VS001', NULL, 'a caller without identity should be refused');

SELECT * FROM finish();
ROLLBACK;
