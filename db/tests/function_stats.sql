-- pgTAP: vestige.stats, counts and read-time retention over the memories visible to the caller.
-- alice and bob share group g; carol is a stranger; dave has nothing. Every memory was accessed
-- "now" (the transaction time), so its read-time retention is 0.7 x retrieval + 0.3 x
-- min(storage / 10, 1) exactly:
--   a1 alice private fact   (vector) 1.0     a2 alice group note          0.35
--   a3 alice public  fact   (vector) 0.07    b1 bob private fact          0.7
--   b2 bob group concept    (vector) 0.3     c1 carol public event        0.5
--   c2 carol private fact            1.0
-- alice sees a1 a2 a3 b2 c1; bob sees b1 b2 a2 a3 c1; carol sees c1 c2 a3.

BEGIN;
SELECT plan(21);

SELECT vestige_test.register_model();
SELECT vestige_test.group('g', vestige_test.user('alice'), ARRAY[vestige_test.user('bob')]);
SELECT vestige_test.user('carol');
SELECT vestige_test.user('dave');

SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT vestige.insert_memory(p_content => 'alice private', p_id => '0000000a-0000-0000-0000-000000000001',
                             p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash());
SELECT vestige.insert_memory(p_content => 'alice group', p_node_type => 'note', p_visibility => 'group',
                             p_shared_with_groups => ARRAY[(SELECT id FROM vestige.groups WHERE name = 'g')],
                             p_id => '0000000a-0000-0000-0000-000000000002');
SELECT vestige.insert_memory(p_content => 'alice public', p_visibility => 'public', p_id => '0000000a-0000-0000-0000-000000000003',
                             p_embedding => '[0,1,0]', p_model_hash => vestige_test.model_hash());
SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT vestige.insert_memory(p_content => 'bob private', p_id => '0000000b-0000-0000-0000-000000000001');
SELECT vestige.insert_memory(p_content => 'bob group', p_node_type => 'concept', p_visibility => 'group',
                             p_shared_with_groups => ARRAY[(SELECT id FROM vestige.groups WHERE name = 'g')],
                             p_id => '0000000b-0000-0000-0000-000000000002',
                             p_embedding => '[0,0,1]', p_model_hash => vestige_test.model_hash());
SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT vestige.insert_memory(p_content => 'carol public', p_node_type => 'event', p_visibility => 'public',
                             p_id => '0000000c-0000-0000-0000-000000000001');
SELECT vestige.insert_memory(p_content => 'carol private', p_id => '0000000c-0000-0000-0000-000000000002');
SELECT vestige_test.act_as(NULL);

UPDATE vestige.knowledge_nodes AS n
   SET retrieval_strength = v.retrieval, storage_strength = v.storage, created_at = v.created_at
  FROM (VALUES ('0000000a-0000-0000-0000-000000000001'::uuid, 1.0, 10, '2026-01-01 00:00+00'::timestamptz),
               ('0000000a-0000-0000-0000-000000000002', 0.5, 0,  '2026-02-01 00:00+00'),
               ('0000000a-0000-0000-0000-000000000003', 0.1, 0,  '2026-03-01 00:00+00'),
               ('0000000b-0000-0000-0000-000000000001', 1.0, 0,  '2027-01-01 00:00+00'),
               ('0000000b-0000-0000-0000-000000000002', 0.0, 10, '2026-04-01 00:00+00'),
               ('0000000c-0000-0000-0000-000000000001', 0.5, 5,  '2025-06-01 00:00+00'),
               ('0000000c-0000-0000-0000-000000000002', 1.0, 10, '2024-01-01 00:00+00'))
       AS v (id, retrieval, storage, created_at)
 WHERE n.id = v.id;

-- Every memory starts due now; a1 and b2 are due tomorrow.
UPDATE vestige.scheduling SET next_review = now() + interval '1 day'
 WHERE memory_id IN ('0000000a-0000-0000-0000-000000000001', '0000000b-0000-0000-0000-000000000002');

-- Edges: alice sees both ends of a1->a3, a3->c1, b2->a2; bob of a3->c1, b2->a2, b1->a3;
-- carol of a3->c1, c2->c1.
INSERT INTO vestige.edges (source_id, target_id) VALUES
    ('0000000a-0000-0000-0000-000000000001', '0000000a-0000-0000-0000-000000000003'),
    ('0000000a-0000-0000-0000-000000000003', '0000000c-0000-0000-0000-000000000001'),
    ('0000000b-0000-0000-0000-000000000002', '0000000a-0000-0000-0000-000000000002'),
    ('0000000b-0000-0000-0000-000000000001', '0000000a-0000-0000-0000-000000000003'),
    ('0000000c-0000-0000-0000-000000000002', '0000000c-0000-0000-0000-000000000001');

INSERT INTO vestige.intentions (owner_user_id, content, status) VALUES
    (vestige_test.user('alice'), 'call the plumber', 'active'),
    (vestige_test.user('alice'), 'renew the passport', 'active'),
    (vestige_test.user('alice'), 'book the flight', 'fulfilled'),
    (vestige_test.user('bob'), 'water the plants', 'active'),
    (vestige_test.user('carol'), 'cancel the gym', 'cancelled');

SET LOCAL ROLE vestige_app;

SELECT throws_ok($$SELECT * FROM vestige.stats()$$, 'VS001', NULL, 'stats without a caller identity should raise VS001');

-- alice: owner of a1 a2 a3, member of g, sees carol's public c1.
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT results_eq($$SELECT total, own, shared_with_me, public_not_own, with_embedding FROM vestige.stats()$$,
    $$VALUES (5::bigint, 3::bigint, 1::bigint, 1::bigint, 3::bigint)$$,
    'alice should see 5 memories: 3 own, 1 shared with her (bob''s group memory), 1 public of carol''s, 3 with a vector');
SELECT is((SELECT by_node_type FROM vestige.stats()), '{"fact": 2, "note": 1, "concept": 1, "event": 1}'::jsonb,
    'alice''s memories by type should count only visible ones');
SELECT is((SELECT round(avg_retention::numeric, 9) FROM vestige.stats()), 0.444000000,
    'alice''s average read-time retention should be (1.0 + 0.35 + 0.07 + 0.3 + 0.5) / 5 = 0.444');
SELECT is((SELECT retention_histogram FROM vestige.stats()),
    '{"[0.0,0.2)": 1, "[0.2,0.4)": 2, "[0.4,0.6)": 1, "[0.6,0.8)": 0, "[0.8,1.0]": 1}'::jsonb,
    'alice''s retention histogram should put 0.07 | 0.35, 0.3 | 0.5 | - | 1.0 in the five buckets (1.0 in the last)');
SELECT results_eq($$SELECT due_now, edges, active_intentions FROM vestige.stats()$$,
    $$VALUES (2::bigint, 3::bigint, 2::bigint)$$,
    'alice should have 2 own memories due (not a1, not others''), 3 edges with both ends visible, 2 active intentions');
SELECT results_eq($$SELECT oldest, newest FROM vestige.stats()$$,
    $$VALUES ('2025-06-01 00:00+00'::timestamptz, '2026-04-01 00:00+00'::timestamptz)$$,
    'alice''s oldest and newest visible memories should be carol''s public c1 and bob''s group b2');

-- bob: owner of b1 b2, member of g, sees alice's and carol's public memories.
SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT results_eq($$SELECT total, own, shared_with_me, public_not_own, with_embedding FROM vestige.stats()$$,
    $$VALUES (5::bigint, 2::bigint, 1::bigint, 2::bigint, 2::bigint)$$,
    'bob should see 5 memories: 2 own, 1 shared with him (alice''s group memory), 2 public, 2 with a vector');
SELECT is((SELECT by_node_type FROM vestige.stats()), '{"fact": 2, "note": 1, "concept": 1, "event": 1}'::jsonb,
    'bob''s memories by type should count his own and the visible ones, not alice''s private fact');
SELECT is((SELECT round(avg_retention::numeric, 9) FROM vestige.stats()), 0.384000000,
    'bob''s average read-time retention should be (0.7 + 0.3 + 0.35 + 0.07 + 0.5) / 5 = 0.384');
SELECT is((SELECT retention_histogram FROM vestige.stats()),
    '{"[0.0,0.2)": 1, "[0.2,0.4)": 2, "[0.4,0.6)": 1, "[0.6,0.8)": 1, "[0.8,1.0]": 0}'::jsonb,
    'bob''s retention histogram should put 0.07 | 0.3, 0.35 | 0.5 | 0.7 | - in the five buckets');
SELECT results_eq($$SELECT due_now, edges, active_intentions FROM vestige.stats()$$,
    $$VALUES (1::bigint, 3::bigint, 1::bigint)$$,
    'bob should have 1 own memory due, 3 edges with both ends visible, 1 active intention');
SELECT results_eq($$SELECT oldest, newest FROM vestige.stats()$$,
    $$VALUES ('2025-06-01 00:00+00'::timestamptz, '2027-01-01 00:00+00'::timestamptz)$$,
    'bob''s oldest and newest visible memories should be carol''s public c1 and his own b1');

-- carol: a stranger to g; sees her own and alice's public memory.
SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT results_eq($$SELECT total, own, shared_with_me, public_not_own, with_embedding FROM vestige.stats()$$,
    $$VALUES (3::bigint, 2::bigint, 0::bigint, 1::bigint, 1::bigint)$$,
    'carol should see 3 memories: 2 own (one public), none shared, 1 public of alice''s, 1 with a vector');
SELECT is((SELECT by_node_type FROM vestige.stats()), '{"fact": 2, "event": 1}'::jsonb,
    'carol''s memories by type should not count the group memories she cannot see');
SELECT is((SELECT round(avg_retention::numeric, 9) FROM vestige.stats()), 0.523333333,
    'carol''s average read-time retention should be (0.5 + 1.0 + 0.07) / 3 = 0.523333333');
SELECT is((SELECT retention_histogram FROM vestige.stats()),
    '{"[0.0,0.2)": 1, "[0.2,0.4)": 0, "[0.4,0.6)": 1, "[0.6,0.8)": 0, "[0.8,1.0]": 1}'::jsonb,
    'carol''s retention histogram should put 0.07 | - | 0.5 | - | 1.0 in the five buckets');
SELECT results_eq($$SELECT due_now, edges, active_intentions FROM vestige.stats()$$,
    $$VALUES (2::bigint, 2::bigint, 0::bigint)$$,
    'carol should have 2 own memories due, 2 edges with both ends visible, no active intention (hers is cancelled)');
SELECT results_eq($$SELECT oldest, newest FROM vestige.stats()$$,
    $$VALUES ('2024-01-01 00:00+00'::timestamptz, '2026-03-01 00:00+00'::timestamptz)$$,
    'carol''s oldest and newest visible memories should be her private c2 and alice''s public a3');

-- dave: no memories of his own; sees only the two public ones.
SELECT vestige_test.act_as(vestige_test.user('dave'));
SELECT results_eq($$SELECT total, own, shared_with_me, public_not_own, due_now, edges, active_intentions FROM vestige.stats()$$,
    $$VALUES (2::bigint, 0::bigint, 0::bigint, 2::bigint, 0::bigint, 1::bigint, 0::bigint)$$,
    'a user with nothing of his own should see only the 2 public memories and the one edge between them');

-- With no visible memory at all the row is still there, with zeros, an empty type map and NULLs.
RESET ROLE;
UPDATE vestige.knowledge_nodes SET visibility = 'private' WHERE visibility = 'public';
SET LOCAL ROLE vestige_app;
SELECT results_eq(
    $$SELECT total, by_node_type, avg_retention, retention_histogram, edges, oldest, newest FROM vestige.stats()$$,
    $$VALUES (0::bigint, '{}'::jsonb, NULL::double precision,
              '{"[0.0,0.2)": 0, "[0.2,0.4)": 0, "[0.4,0.6)": 0, "[0.6,0.8)": 0, "[0.8,1.0]": 0}'::jsonb,
              0::bigint, NULL::timestamptz, NULL::timestamptz)$$,
    'a user who sees no memory should get one row: 0, an empty type map, no average, five empty buckets, no dates');

SELECT * FROM finish();
ROLLBACK;
