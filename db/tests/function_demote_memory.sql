-- pgTAP: vestige.demote_memory: owner only; retrieval -0.30 and retention -0.15 with a floor of
-- 0.05 (a value already below the floor is kept, never raised), FSRS stability x 0.5 (NULL
-- stays NULL), last_accessed unchanged.

BEGIN;
SELECT plan(21);

-- Fixtures (superuser): vestige_test.strength_fixture() (db/tests/helpers/fixtures.sql): alice
-- owns a private (…a…01), a group (…a…02) and a public (…a…03) memory; bob, a member of alice's
-- group, owns a private one (…b…01); carol is a stranger.
SELECT vestige_test.strength_fixture();

-- alice's private memory is strong and reviewed (stability 4); her group memory is weak and new
-- (stability NULL), so both floors apply; her public memory is already below the floor.
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.9, retention_strength = 0.8, storage_strength = 3, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000001';
UPDATE vestige.scheduling
   SET state = 'review', stability = 4, difficulty = 5, reps = 1, last_review = '2026-01-01 00:00+00'
 WHERE memory_id = '0000000a-0000-0000-0000-000000000001';
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.2, retention_strength = 0.1, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000002';
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.03, retention_strength = 0.04, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000003';
UPDATE vestige.scheduling
   SET state = 'review', stability = 10, difficulty = 5, reps = 1, last_review = '2026-01-01 00:00+00'
 WHERE memory_id = '0000000a-0000-0000-0000-000000000003';
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.5, retention_strength = 0.5, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000b-0000-0000-0000-000000000001';
SELECT vestige_test.snapshot();

SET LOCAL ROLE vestige_app;

-- Refusals: no identity, member, stranger, invisible, missing, NULL.
SELECT throws_ok($$SELECT * FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000001')$$,
    'VS001', NULL, 'demote_memory without a caller identity should raise VS001');

SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT throws_ok($$SELECT * FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000002')$$,
    'VS009', NULL, 'a group member demoting alice''s group memory should raise VS009 (not owner)');
SELECT throws_ok($$SELECT * FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000003')$$,
    'VS009', NULL, 'a group member demoting alice''s public memory should raise VS009 (not owner)');
SELECT throws_ok($$SELECT * FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000001')$$,
    'VS008', NULL, 'a group member demoting alice''s private memory should raise VS008 (not visible)');

SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT throws_ok($$SELECT * FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000003')$$,
    'VS009', NULL, 'a stranger demoting alice''s public memory should raise VS009 (not owner)');
SELECT throws_ok($$SELECT * FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000002')$$,
    'VS008', NULL, 'a stranger demoting alice''s group memory should raise VS008 (not visible)');
SELECT throws_ok($$SELECT * FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000001')$$,
    'VS008', NULL, 'a stranger demoting alice''s private memory should raise VS008 (not visible)');

SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT throws_ok($$SELECT * FROM vestige.demote_memory('ffffffff-0000-0000-0000-000000000000')$$,
    'VS008', NULL, 'demoting a missing memory should raise VS008');
SELECT throws_ok($$SELECT * FROM vestige.demote_memory(NULL)$$,
    'VS008', NULL, 'demoting a NULL id should raise VS008');
SELECT is(vestige_test.changed(), 0::bigint, 'refused demotions should change nothing');

-- The owner.
SELECT results_eq(
    $$SELECT id, storage_strength, round(retrieval_strength::numeric, 9), round(retention_strength::numeric, 9),
             round(stability::numeric, 9)
        FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000001')$$,
    $$VALUES ('0000000a-0000-0000-0000-000000000001'::uuid, 3::double precision, 0.600000000, 0.650000000, 2.000000000)$$,
    'demote should return retrieval 0.9 - 0.3 = 0.6, retention 0.8 - 0.15 = 0.65, stability 4 x 0.5 = 2, storage unchanged');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000001')).retrieval_strength::numeric, 9), 0.600000000,
    'the demoted retrieval strength 0.6 should be stored');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000001')).retention_strength::numeric, 9), 0.650000000,
    'the demoted retention strength 0.65 should be stored');
SELECT is((vestige_test.sched('0000000a-0000-0000-0000-000000000001')).stability, 2.0::double precision,
    'the demoted stability 2 should be stored in scheduling');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).last_accessed, '2026-01-01 00:00+00'::timestamptz,
    'a demotion is not a recall: last_accessed should be unchanged');

SELECT results_eq(
    $$SELECT id, retrieval_strength, retention_strength, stability
        FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000002')$$,
    $$VALUES ('0000000a-0000-0000-0000-000000000002'::uuid, 0.05::double precision, 0.05::double precision, NULL::double precision)$$,
    'demote should stop at the floor (0.2 - 0.3 -> 0.05, 0.1 - 0.15 -> 0.05) and leave the stability of a new memory NULL');
SELECT results_eq(
    $$SELECT id, retrieval_strength, retention_strength, stability
        FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000002')$$,
    $$VALUES ('0000000a-0000-0000-0000-000000000002'::uuid, 0.05::double precision, 0.05::double precision, NULL::double precision)$$,
    'demoting a memory already at the floor should keep it at 0.05');
SELECT results_eq(
    $$SELECT retrieval_strength, retention_strength, stability
        FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000003')$$,
    $$VALUES (0.03::double precision, 0.04::double precision, 5::double precision)$$,
    'strengths already below the floor (0.03, 0.04) should be kept, not raised to 0.05; stability 10 -> 5');
SELECT results_eq(
    $$SELECT round(retrieval_strength::numeric, 9), round(retention_strength::numeric, 9), round(stability::numeric, 9)
        FROM vestige.demote_memory('0000000a-0000-0000-0000-000000000001')$$,
    $$VALUES (0.300000000, 0.500000000, 1.000000000)$$,
    'a second demotion should compound: 0.6 -> 0.3, 0.65 -> 0.5, stability 2 -> 1');

SELECT is(vestige_test.changed(), 3::bigint,
    'exactly alice''s three demoted memories should have changed, bob''s should not');
SELECT is((vestige_test.node('0000000b-0000-0000-0000-000000000001')).retrieval_strength, 0.5::double precision,
    'bob''s private memory should keep retrieval strength 0.5');

SELECT * FROM finish();
ROLLBACK;
