-- pgTAP: vestige.promote_memory: owner only; retrieval +0.20 and retention +0.10 (capped at 1),
-- FSRS stability x 1.5 (NULL stays NULL), last_accessed = now().

BEGIN;
SELECT plan(21);

-- Fixtures (superuser): vestige_test.strength_fixture() (db/tests/helpers/fixtures.sql): alice
-- owns a private (…a…01), a group (…a…02) and a public (…a…03) memory; bob, a member of alice's
-- group, owns a private one (…b…01); carol is a stranger.
SELECT vestige_test.strength_fixture();

-- alice's private memory has been reviewed (stability 4); her group memory is new (stability
-- NULL) and near the cap; her public memory is weak, with stability 10.
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.5, retention_strength = 0.6, storage_strength = 2, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000001';
UPDATE vestige.scheduling
   SET state = 'review', stability = 4, difficulty = 5, reps = 1, last_review = '2026-01-01 00:00+00'
 WHERE memory_id = '0000000a-0000-0000-0000-000000000001';
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.9, retention_strength = 0.95, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000002';
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.3, retention_strength = 0.3, last_accessed = '2026-01-01 00:00+00'
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
SELECT throws_ok($$SELECT * FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000001')$$,
    'VS001', NULL, 'promote_memory without a caller identity should raise VS001');

SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT throws_ok($$SELECT * FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000002')$$,
    'VS009', NULL, 'a group member promoting alice''s group memory should raise VS009 (not owner)');
SELECT throws_ok($$SELECT * FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000003')$$,
    'VS009', NULL, 'a group member promoting alice''s public memory should raise VS009 (not owner)');
SELECT throws_ok($$SELECT * FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000001')$$,
    'VS008', NULL, 'a group member promoting alice''s private memory should raise VS008 (not visible)');

SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT throws_ok($$SELECT * FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000003')$$,
    'VS009', NULL, 'a stranger promoting alice''s public memory should raise VS009 (not owner)');
SELECT throws_ok($$SELECT * FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000002')$$,
    'VS008', NULL, 'a stranger promoting alice''s group memory should raise VS008 (not visible)');
SELECT throws_ok($$SELECT * FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000001')$$,
    'VS008', NULL, 'a stranger promoting alice''s private memory should raise VS008 (not visible)');

SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT throws_ok($$SELECT * FROM vestige.promote_memory('ffffffff-0000-0000-0000-000000000000')$$,
    'VS008', NULL, 'promoting a missing memory should raise VS008');
SELECT throws_ok($$SELECT * FROM vestige.promote_memory(NULL)$$,
    'VS008', NULL, 'promoting a NULL id should raise VS008');
SELECT is(vestige_test.changed(), 0::bigint, 'refused promotions should change nothing');

-- The owner.
SELECT results_eq(
    $$SELECT id, storage_strength, round(retrieval_strength::numeric, 9), round(retention_strength::numeric, 9),
             round(stability::numeric, 9)
        FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000001')$$,
    $$VALUES ('0000000a-0000-0000-0000-000000000001'::uuid, 2::double precision, 0.700000000, 0.700000000, 6.000000000)$$,
    'promote should return retrieval 0.5 + 0.2 = 0.7, retention 0.6 + 0.1 = 0.7, stability 4 x 1.5 = 6, storage unchanged');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000001')).retrieval_strength::numeric, 9), 0.700000000,
    'the promoted retrieval strength 0.7 should be stored');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000001')).retention_strength::numeric, 9), 0.700000000,
    'the promoted retention strength 0.7 should be stored');
SELECT is((vestige_test.sched('0000000a-0000-0000-0000-000000000001')).stability, 6.0::double precision,
    'the promoted stability 6 should be stored in scheduling');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).last_accessed, now(),
    'a promotion should count as a recall: last_accessed = now()');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).access_count, 0,
    'a promotion should not count as a search access (access_count unchanged)');

SELECT results_eq(
    $$SELECT id, retrieval_strength, retention_strength, stability
        FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000002')$$,
    $$VALUES ('0000000a-0000-0000-0000-000000000002'::uuid, 1.0::double precision, 1.0::double precision, NULL::double precision)$$,
    'promote should cap at 1 (0.9 + 0.2, 0.95 + 0.1) and leave the stability of a new memory NULL');

SELECT results_eq(
    $$SELECT round(retrieval_strength::numeric, 9), round(retention_strength::numeric, 9), round(stability::numeric, 9)
        FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000003')$$,
    $$VALUES (0.500000000, 0.400000000, 15.000000000)$$,
    'the owner should be able to promote her public memory: 0.3 -> 0.5, 0.3 -> 0.4, stability 10 -> 15');
SELECT results_eq(
    $$SELECT round(retrieval_strength::numeric, 9), round(retention_strength::numeric, 9), round(stability::numeric, 9)
        FROM vestige.promote_memory('0000000a-0000-0000-0000-000000000003')$$,
    $$VALUES (0.700000000, 0.500000000, 22.500000000)$$,
    'a second promotion should compound: 0.5 -> 0.7, 0.4 -> 0.5, stability 15 -> 22.5');

SELECT is(vestige_test.changed(), 3::bigint,
    'exactly alice''s three promoted memories should have changed, bob''s should not');
SELECT is((vestige_test.node('0000000b-0000-0000-0000-000000000001')).retrieval_strength, 0.5::double precision,
    'bob''s private memory should keep retrieval strength 0.5');

SELECT * FROM finish();
ROLLBACK;
