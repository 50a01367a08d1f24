-- pgTAP: vestige.memory_lineage — the supersession chain both ways, of visible memories only,
-- with the decision (supersede by the gate's edge, or manual). Alice owns v1 -> v2 -> v3 (v1
-- superseded by v2 as the gate does it: superseded_by and a supersedes edge; v2 by v3 by hand);
-- v1 is private, v2 and v3 public, so Bob sees only v2 and v3.
BEGIN;
SELECT plan(6);

SELECT vestige_test.user('alice'), vestige_test.user('bob');
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT vestige.insert_memory(p_content => 'backup at 01:00', p_id => 'a0000000-0000-4000-8000-000000000001');
SELECT vestige.insert_memory(p_content => 'backup at 02:00', p_visibility => 'public', p_id => 'a0000000-0000-4000-8000-000000000002');
SELECT vestige.insert_memory(p_content => 'backup at 03:00', p_visibility => 'public', p_id => 'a0000000-0000-4000-8000-000000000003');
SELECT vestige.update_memory(p_id => 'a0000000-0000-4000-8000-000000000001', p_superseded_by => 'a0000000-0000-4000-8000-000000000002');
SELECT vestige.add_edge(p_source_id => 'a0000000-0000-4000-8000-000000000002', p_target_id => 'a0000000-0000-4000-8000-000000000001',
                        p_edge_type => 'supersedes');
SELECT vestige.update_memory(p_id => 'a0000000-0000-4000-8000-000000000002', p_superseded_by => 'a0000000-0000-4000-8000-000000000003');

SELECT volatility_is('vestige', 'memory_lineage', ARRAY['uuid'], 'stable', 'vestige.memory_lineage should be stable');

SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT results_eq(
    $$SELECT l.step, l.id, l.superseded_by, l.decision, l.superseded_at IS NOT NULL
        FROM vestige.memory_lineage(p_memory_id => 'a0000000-0000-4000-8000-000000000002') AS l$$,
    $$VALUES (-1, 'a0000000-0000-4000-8000-000000000001'::uuid, 'a0000000-0000-4000-8000-000000000002'::uuid, 'supersede', true),
             (0, 'a0000000-0000-4000-8000-000000000002'::uuid, 'a0000000-0000-4000-8000-000000000003'::uuid, 'manual', true),
             (1, 'a0000000-0000-4000-8000-000000000003'::uuid, NULL::uuid, NULL::text, false)$$,
    'from the middle the owner should see what it replaced (by the gate) and what replaced it (by hand)');
SELECT results_eq(
    $$SELECT l.step, l.id FROM vestige.memory_lineage(p_memory_id => 'a0000000-0000-4000-8000-000000000001') AS l$$,
    $$VALUES (0, 'a0000000-0000-4000-8000-000000000001'::uuid), (1, 'a0000000-0000-4000-8000-000000000002'::uuid),
             (2, 'a0000000-0000-4000-8000-000000000003'::uuid)$$,
    'from the oldest the chain should go forward two steps');

SELECT vestige_test.act_as(vestige_test.user('bob'));
SELECT results_eq(
    $$SELECT l.step, l.id FROM vestige.memory_lineage(p_memory_id => 'a0000000-0000-4000-8000-000000000003') AS l$$,
    $$VALUES (-1, 'a0000000-0000-4000-8000-000000000002'::uuid), (0, 'a0000000-0000-4000-8000-000000000003'::uuid)$$,
    'another user should not see (or walk through) the private memory of the chain');
SELECT throws_ok($$SELECT * FROM vestige.memory_lineage(p_memory_id => 'a0000000-0000-4000-8000-000000000001')$$,
    'VS008', NULL, 'a private memory of Alice should not be visible to Bob');

SELECT vestige_test.act_as(NULL);
SELECT throws_ok($$SELECT * FROM vestige.memory_lineage(p_memory_id => 'a0000000-0000-4000-8000-000000000003')$$,
    'VS001', NULL, 'a caller without identity should be refused');

SELECT * FROM finish();
ROLLBACK;
