-- pgTAP: vestige.touch_memories, the testing effect on memories a search returned:
-- retrieval +0.05 and retention +0.02 (capped at 1), access_count +1, last_accessed = now(),
-- for the caller's own memories only.

BEGIN;
SELECT plan(24);

-- Fixtures (superuser): vestige_test.strength_fixture() (db/tests/helpers/fixtures.sql): alice
-- owns a private (…a…01), a group (…a…02) and a public (…a…03) memory; bob, a member of alice's
-- group, owns a private one (…b…01); carol is a stranger.
SELECT vestige_test.strength_fixture();

UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.5, retention_strength = 0.4, access_count = 3, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000001';
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.98, retention_strength = 0.99, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000002';
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.7, retention_strength = 0.7, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000a-0000-0000-0000-000000000003';
UPDATE vestige.knowledge_nodes
   SET retrieval_strength = 0.6, retention_strength = 0.6, last_accessed = '2026-01-01 00:00+00'
 WHERE id = '0000000b-0000-0000-0000-000000000001';
SELECT vestige_test.snapshot();

SET LOCAL ROLE vestige_app;

-- Without identity.
SELECT throws_ok($$SELECT vestige.touch_memories(ARRAY['0000000a-0000-0000-0000-000000000003']::uuid[])$$,
    'VS001', NULL, 'touch_memories without a caller identity should raise VS001');

-- A group member: sees alice's group and public memories, owns none of them.
SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT is(vestige.touch_memories(ARRAY['0000000a-0000-0000-0000-000000000001', '0000000a-0000-0000-0000-000000000002',
                                       '0000000a-0000-0000-0000-000000000003']::uuid[]), 0,
    'a group member touching alice''s private, group and public memories should touch none of them');
SELECT is(vestige_test.changed(), 0::bigint,
    'recalling alice''s shared memories should not strengthen them (nothing changed)');

-- A stranger.
SELECT vestige_test.act_as(vestige_test.user('carol'));
SELECT is(vestige.touch_memories(ARRAY['0000000a-0000-0000-0000-000000000001', '0000000a-0000-0000-0000-000000000002',
                                       '0000000a-0000-0000-0000-000000000003', '0000000b-0000-0000-0000-000000000001']::uuid[]), 0,
    'a stranger touching other users'' private, group and public memories should touch none of them');
SELECT is(vestige_test.changed(), 0::bigint,
    'a stranger''s touch should change nothing');

-- The owner: empty input.
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT is(vestige.touch_memories(NULL), 0, 'touch_memories(NULL) should return 0');
SELECT is(vestige.touch_memories('{}'), 0, 'touch_memories of an empty array should return 0');
SELECT is(vestige.touch_memories(ARRAY[NULL, 'ffffffff-0000-0000-0000-000000000000']::uuid[]), 0,
    'touch_memories of a NULL and a missing id should return 0');
SELECT is(vestige_test.changed(), 0::bigint, 'empty, NULL and missing ids should change nothing');

-- The owner: her three memories (one twice), bob's private one, a missing id and a NULL.
SELECT is(vestige.touch_memories(ARRAY['0000000a-0000-0000-0000-000000000001', '0000000a-0000-0000-0000-000000000002',
                                       '0000000a-0000-0000-0000-000000000003', '0000000a-0000-0000-0000-000000000001',
                                       '0000000b-0000-0000-0000-000000000001', 'ffffffff-0000-0000-0000-000000000000',
                                       NULL]::uuid[]), 3,
    'the owner''s touch should count her three memories once each and skip bob''s, the missing and the NULL id');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000001')).retrieval_strength::numeric, 9), 0.550000000,
    'retrieval strength should rise by 0.05: 0.5 -> 0.55');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000001')).retention_strength::numeric, 9), 0.420000000,
    'retention strength should rise by 0.02: 0.4 -> 0.42');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).access_count, 4,
    'access_count should rise by one even when the id is passed twice');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).last_accessed, now(),
    'last_accessed should be set to now()');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).storage_strength, 1.0::double precision,
    'storage strength should not change on a touch');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000002')).retrieval_strength, 1.0::double precision,
    'retrieval strength should be capped at 1: 0.98 + 0.05 -> 1.0');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000002')).retention_strength, 1.0::double precision,
    'retention strength should be capped at 1: 0.99 + 0.02 -> 1.0');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000003')).retrieval_strength::numeric, 9), 0.750000000,
    'the owner''s public memory should be touched too: retrieval 0.7 -> 0.75');
SELECT is(round((vestige_test.node('0000000a-0000-0000-0000-000000000003')).retention_strength::numeric, 9), 0.720000000,
    'the owner''s public memory should be touched too: retention 0.7 -> 0.72');
SELECT is(vestige_test.changed(), 3::bigint,
    'exactly alice''s three memories should have changed; bob''s private memory should be untouched');

-- The member again, on his own memory.
SELECT vestige_test.snapshot();
SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT is(vestige.touch_memories(ARRAY['0000000b-0000-0000-0000-000000000001', '0000000a-0000-0000-0000-000000000002']::uuid[]), 1,
    'a member touching his own memory and alice''s group memory should touch only his own');
SELECT is(vestige_test.changed(), 1::bigint, 'only bob''s own memory should have changed');

-- A store without statistics yet (just loaded): the memories are found by primary key, never by
-- reading the caller's whole owner index (a kept plan once did: 10-20 ms a search at 10k).
RESET ROLE;
SELECT pg_clear_relation_stats('vestige', 'knowledge_nodes');
SELECT pg_clear_attribute_stats('vestige', 'knowledge_nodes', a.attname, false)
  FROM pg_attribute AS a
 WHERE a.attrelid = 'vestige.knowledge_nodes'::regclass AND a.attnum > 0 AND NOT a.attisdropped;
CREATE TEMP TABLE scans_before AS
SELECT c.relname, pg_stat_get_xact_numscans(c.oid) AS scans
  FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'vestige.knowledge_nodes'::regclass;
GRANT SELECT ON scans_before TO vestige_app;
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT count(vestige.touch_memories(ARRAY['0000000a-0000-0000-0000-000000000001', '0000000b-0000-0000-0000-000000000001']::uuid[]))
  FROM generate_series(1, 8);
RESET ROLE;
SELECT is((SELECT sum(pg_stat_get_xact_numscans(c.oid) - b.scans)::int FROM scans_before AS b JOIN pg_class AS c USING (relname)
            WHERE c.relname <> 'knowledge_nodes_pkey'), 0,
    'without statistics, eight touches should read no index of knowledge_nodes but its primary key');
SELECT cmp_ok((SELECT (pg_stat_get_xact_numscans(c.oid) - b.scans)::int FROM scans_before AS b JOIN pg_class AS c USING (relname)
                WHERE c.relname = 'knowledge_nodes_pkey'), '>=', 8,
    'without statistics, each touch should find its memories by primary key');

SELECT * FROM finish();
ROLLBACK;
