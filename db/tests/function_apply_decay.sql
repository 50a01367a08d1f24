-- pgTAP: vestige.apply_decay: persist retention_strength := vestige.retention_now(...) at p_at and,
-- for reviewed memories, scheduling.retrievability := R(days since last_review, stability), for
-- the caller's own memories only; retrieval_strength itself is not decayed.
-- FSRS-6: R(t, S) = (1 + F t / S) ^ -0.1542, F = 0.9 ^ (-1 / 0.1542) - 1, so R(S, S) = 0.9.
-- T0 = 2026-01-01 00:00 UTC; the first run is at T0 + 5 days.

BEGIN;
SELECT plan(22);

-- Fixtures (superuser): vestige_test.strength_fixture() (db/tests/helpers/fixtures.sql): alice
-- owns a private (…a…01), a group (…a…02) and a public (…a…03) memory; bob, a member of alice's
-- group, owns a private one (…b…01); carol is a stranger.
SELECT vestige_test.strength_fixture();

-- alice private: new (stability NULL -> 1 day), last access T0 + 4 d, retrieval 0.5, storage 2.
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.5, storage_strength = 2, last_accessed = '2026-01-05 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000001';
-- alice group: reviewed at T0 with stability 5, last access T0, retrieval 1, storage 10.
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 1, storage_strength = 10, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000002';
UPDATE vestige.scheduling
   SET state = 'review', stability = 5, difficulty = 5, reps = 1, last_review = '2026-01-01 00:00+00'
 WHERE memory_id = '0000000a-0000-0000-0000-000000000002';
-- alice public: reviewed at T0 + 3 d with stability 2, last access T0 + 5 d, retrieval 0.8, storage 5.
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.8, storage_strength = 5, last_accessed = '2026-01-06 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000003';
UPDATE vestige.scheduling
   SET state = 'review', stability = 2, difficulty = 5, reps = 1, last_review = '2026-01-04 00:00+00'
 WHERE memory_id = '0000000a-0000-0000-0000-000000000003';
-- bob private: new, last access T0, retrieval 0.5, storage 1.
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.5, storage_strength = 1, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000b-0000-0000-0000-000000000001';
SELECT vestige_test.snapshot();

SET LOCAL ROLE vestige_app;

SELECT throws_ok($$SELECT vestige.apply_decay('2026-01-06 00:00+00')$$,
    'VS001', NULL, 'apply_decay without a caller identity should raise VS001');

SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT throws_ok($$SELECT vestige.apply_decay(NULL)$$,
    'VS006', NULL, 'apply_decay with a NULL time should raise VS006');
SELECT is(vestige_test.changed(), 0::bigint, 'refused calls should change nothing');

-- A stranger owns nothing; a member owns only his private memory.
SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT is(vestige.apply_decay('2026-01-06 00:00+00'), 0,
    'a stranger with no memories of her own should change nothing, even with alice''s public memory visible');
SELECT is(vestige_test.changed(), 0::bigint, 'a stranger''s apply_decay should leave every memory as it was');

SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT is(vestige.apply_decay('2026-01-06 00:00+00'), 1,
    'a group member should decay his own memory only, not alice''s group or public memory');
SELECT is(round((vestige_test.node('0000000b-0000-0000-0000-000000000001')).retention_strength::numeric, 9), 0.296184647,
    'bob''s retention should be 0.7 x 0.5 x R(5 d, 1 d) + 0.3 x 0.1 = 0.7 x 0.5 x 0.760527563 + 0.03 = 0.296184647');
SELECT is(vestige_test.changed(), 1::bigint, 'only bob''s memory should have changed');

-- The owner.
SELECT vestige_test.snapshot();
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT is(vestige.apply_decay('2026-01-06 00:00+00'), 3, 'alice''s apply_decay should change her three memories');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000001')).retention_strength::numeric, 9), 0.375000000,
    'a new memory should decay with stability 1 day: 0.7 x 0.5 x 0.9 + 0.3 x 0.2 = 0.375');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).retrieval_strength, 0.5::double precision,
    'retrieval strength should not be decayed (the read-time formula already decays it)');
SELECT is((vestige_test.sched('0000000a-0000-0000-0000-000000000001')).retrievability, 1.0::double precision,
    'the retrievability of a memory never reviewed should stay 1');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000002')).retention_strength::numeric, 9), 0.930000000,
    'the group memory after one stability should have retention 0.7 x 1 x 0.9 + 0.3 = 0.93');
SELECT is(round((vestige_test.sched('0000000a-0000-0000-0000-000000000002')).retrievability::numeric, 9), 0.900000000,
    'the group memory 5 days after its review at stability 5 should have retrievability 0.9');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000003')).retention_strength::numeric, 9), 0.710000000,
    'a memory accessed at p_at should have retention 0.7 x 0.8 x 1 + 0.3 x 0.5 = 0.71');
SELECT is(round((vestige_test.sched('0000000a-0000-0000-0000-000000000003')).retrievability::numeric, 9), 0.900000000,
    'the public memory 2 days after its review at stability 2 should have retrievability 0.9');
SELECT is(round((vestige_test.node('0000000b-0000-0000-0000-000000000001')).retention_strength::numeric, 9), 0.296184647,
    'bob''s memory should keep the retention 0.296184647 of his own run (alice''s run does not touch it)');
SELECT is(vestige_test.changed(), 3::bigint, 'exactly alice''s three memories should have changed');

SELECT is(vestige.apply_decay('2026-01-06 00:00+00'), 0, 'a second run at the same time should change nothing');

SELECT is(vestige.apply_decay('2026-01-16 00:00+00'), 3, 'a run ten days later should change alice''s three memories again');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000002')).retention_strength::numeric, 9), 0.866571673,
    'after three stabilities the group memory should have retention 0.7 x (1 + 3F)^-0.1542 + 0.3 = 0.866571673');
SELECT is(round((vestige_test.sched('0000000a-0000-0000-0000-000000000002')).retrievability::numeric, 9), 0.809388104,
    'after three stabilities the group memory should have retrievability (1 + 3F)^-0.1542 = 0.809388104');

SELECT * FROM finish();
ROLLBACK;
