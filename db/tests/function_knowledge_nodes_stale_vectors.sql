-- pgTAP: vestige.knowledge_nodes_stale_vectors and its trigger — a memory whose content changes
-- forgets its vector of the pending model (a running reembed) and of the previous model (the
-- rollback window); other updates keep them, and without those columns an edit just works.
BEGIN;
SELECT plan(28);

-- Fixtures (superuser): the 3-d test model and two memories of alice with fixed ids.
SELECT vestige_test.register_model();
SELECT vestige_test.user('alice');
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT vestige.insert_memory(p_content => 'alpha one', p_embedding => '[1,0,0]', p_model_hash => vestige_test.model_hash(),
                             p_id => '0000000a-0000-0000-0000-000000000001');
SELECT vestige.insert_memory(p_content => 'beta two', p_embedding => '[0,1,0]', p_model_hash => vestige_test.model_hash(),
                             p_id => '0000000a-0000-0000-0000-000000000002');
SELECT vestige_test.act_as(NULL);

-- The trigger itself.
SELECT has_trigger('vestige', 'knowledge_nodes', 'knowledge_nodes_stale_vectors',
                   'knowledge_nodes should have the trigger knowledge_nodes_stale_vectors');
SELECT trigger_is('vestige', 'knowledge_nodes', 'knowledge_nodes_stale_vectors', 'vestige', 'knowledge_nodes_stale_vectors',
                  'the trigger should call vestige.knowledge_nodes_stale_vectors()');
SELECT ok((SELECT pg_get_triggerdef(t.oid) ~ 'BEFORE UPDATE OF content ON vestige\.knowledge_nodes FOR EACH ROW WHEN \(\(old\.content IS DISTINCT FROM new\.content\)\)'
             FROM pg_trigger AS t WHERE t.tgname = 'knowledge_nodes_stale_vectors'),
          'the trigger should fire before an update of content, per row, only when the content really changes');

-- Without the pending and previous columns (no reembed), a content update just works.
SELECT hasnt_column('vestige', 'knowledge_nodes', 'embedding_pending', 'there should be no embedding_pending column before a reembed');
SELECT lives_ok($$UPDATE vestige.knowledge_nodes SET content = 'alpha one, first edit' WHERE id = '0000000a-0000-0000-0000-000000000001'$$,
                'a content update without the reembed columns should succeed');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).content, 'alpha one, first edit',
          'the content update without the reembed columns should store the new content');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).embedding, '[1,0,0]'::public.vector,
          'the trigger should not touch the active embedding');

-- A reembed starts: the pending column exists (the trigger above already ran in this session).
SELECT is(vestige.reembed_prepare(p_name => 'test-model-2', p_dimension => 2, p_hash => repeat('b', 64)), 'prepared',
          'fixture: reembed_prepare should add the pending column');
UPDATE vestige.knowledge_nodes SET embedding_pending = '[1,0]' WHERE id = '0000000a-0000-0000-0000-000000000001';
UPDATE vestige.knowledge_nodes SET embedding_pending = '[0,1]' WHERE id = '0000000a-0000-0000-0000-000000000002';

CREATE FUNCTION pg_temp.pending(p_id uuid) RETURNS public.vector
LANGUAGE sql VOLATILE AS $$ SELECT n.embedding_pending FROM vestige.knowledge_nodes AS n WHERE n.id = p_id $$;

-- Updates that leave the content alone keep the pending vector.
UPDATE vestige.knowledge_nodes SET tags = ARRAY['x'] WHERE id = '0000000a-0000-0000-0000-000000000002';
SELECT is(pg_temp.pending('0000000a-0000-0000-0000-000000000002'), '[0,1]'::public.vector,
          'a tags update should keep the pending vector');
UPDATE vestige.knowledge_nodes SET storage_strength = 2, retrieval_strength = 0.5, retention_strength = 0.5, access_count = 3
 WHERE id = '0000000a-0000-0000-0000-000000000002';
SELECT is(pg_temp.pending('0000000a-0000-0000-0000-000000000002'), '[0,1]'::public.vector,
          'a strengths update should keep the pending vector');
UPDATE vestige.knowledge_nodes SET content = content WHERE id = '0000000a-0000-0000-0000-000000000002';
SELECT is(pg_temp.pending('0000000a-0000-0000-0000-000000000002'), '[0,1]'::public.vector,
          'setting the content to the same text should keep the pending vector');

-- A content change forgets the pending vector, of that memory only.
UPDATE vestige.knowledge_nodes SET content = 'alpha one, second edit' WHERE id = '0000000a-0000-0000-0000-000000000001';
SELECT is(pg_temp.pending('0000000a-0000-0000-0000-000000000001'), NULL::public.vector,
          'a content change should set embedding_pending to NULL');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).content, 'alpha one, second edit',
          'the content change should be stored');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).embedding, '[1,0,0]'::public.vector,
          'the content change by direct SQL should keep the active embedding (the trigger forgets only pending and previous)');
SELECT is(pg_temp.pending('0000000a-0000-0000-0000-000000000002'), '[0,1]'::public.vector,
          'the content change of one memory should keep the pending vector of another');

-- Through the API: an edit by the owner with vestige.update_memory.
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('alice'));
SELECT lives_ok($$SELECT vestige.update_memory(p_id => '0000000a-0000-0000-0000-000000000002', p_tags => ARRAY['y'])$$,
                'fixture: alice should update the tags of her memory');
RESET ROLE;
SELECT is(pg_temp.pending('0000000a-0000-0000-0000-000000000002'), '[0,1]'::public.vector,
          'a tags update through update_memory should keep the pending vector');
SET LOCAL ROLE vestige_app;
SELECT lives_ok($$SELECT vestige.update_memory(p_id => '0000000a-0000-0000-0000-000000000002', p_content => 'beta two, edited')$$,
                'fixture: alice should edit the content of her memory');
RESET ROLE;
SELECT is(pg_temp.pending('0000000a-0000-0000-0000-000000000002'), NULL::public.vector,
          'a content edit through update_memory should set embedding_pending to NULL');

-- The switch: the old vectors become embedding_previous. The trigger has already run in this
-- transaction, before the columns were added and renamed: it must follow the current columns.
UPDATE vestige.knowledge_nodes SET embedding_pending = '[1,0]' WHERE id = '0000000a-0000-0000-0000-000000000001';
UPDATE vestige.knowledge_nodes SET embedding_pending = '[0,1]' WHERE id = '0000000a-0000-0000-0000-000000000002';
UPDATE vestige.knowledge_nodes SET embedding = '[0,1,0]' WHERE id = '0000000a-0000-0000-0000-000000000002';
CREATE INDEX knowledge_nodes_embedding_pending_idx ON vestige.knowledge_nodes
    USING hnsw (embedding_pending public.vector_cosine_ops);
SELECT is((SELECT name FROM vestige.reembed_switch(p_model_hash => repeat('b', 64))), 'test-model-2',
          'fixture: reembed_switch should make test-model-2 active');

CREATE FUNCTION pg_temp.previous(p_id uuid) RETURNS public.vector
LANGUAGE sql VOLATILE AS $$ SELECT n.embedding_previous FROM vestige.knowledge_nodes AS n WHERE n.id = p_id $$;

UPDATE vestige.knowledge_nodes SET tags = ARRAY['z'], storage_strength = 3 WHERE id = '0000000a-0000-0000-0000-000000000001';
SELECT is(pg_temp.previous('0000000a-0000-0000-0000-000000000001'), '[1,0,0]'::public.vector,
          'after a switch, a tags and strengths update should keep the previous vector');
SELECT lives_ok($$UPDATE vestige.knowledge_nodes SET content = 'alpha one, third edit' WHERE id = '0000000a-0000-0000-0000-000000000001'$$,
                'after a switch (previous column, no pending column) a content update should succeed');
SELECT is(pg_temp.previous('0000000a-0000-0000-0000-000000000001'), NULL::public.vector,
          'after a switch, a content change should set embedding_previous to NULL');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000001')).embedding, '[1,0]'::public.vector,
          'after a switch, the content change by direct SQL should keep the active (new) embedding');
SELECT is(pg_temp.previous('0000000a-0000-0000-0000-000000000002'), '[0,1,0]'::public.vector,
          'after a switch, the content change of one memory should keep the previous vector of another');

-- After cleanup neither column exists: a content update still works.
SELECT ok(vestige.reembed_cleanup(), 'fixture: reembed_cleanup should drop the previous model');
SELECT lives_ok($$UPDATE vestige.knowledge_nodes SET content = 'beta two, after cleanup' WHERE id = '0000000a-0000-0000-0000-000000000002'$$,
                'after cleanup (no pending nor previous column) a content update should succeed');
SELECT is((vestige_test.node('0000000a-0000-0000-0000-000000000002')).content, 'beta two, after cleanup',
          'the content update after cleanup should store the new content');

SELECT * FROM finish();
ROLLBACK;
