-- pgTAP: knowledge_nodes leaves a quarter of each page free, so the testing effect is a HOT update;
-- the GIN indexes searches read have no pending list.
BEGIN;
SELECT plan(4);

SELECT is((SELECT c.reloptions FROM pg_catalog.pg_class AS c WHERE c.oid = 'vestige.knowledge_nodes'::regclass),
          '{fillfactor=75}'::text[],
          'knowledge_nodes should be filled to 75% so an updated row fits on its own page');
SELECT is_empty($$SELECT c.relname FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_index AS i ON i.indexrelid = c.oid
                   JOIN pg_catalog.pg_am AS a ON a.oid = c.relam
                  WHERE i.indrelid = 'vestige.knowledge_nodes'::regclass AND a.amname = 'gin'
                    AND NOT coalesce(c.reloptions @> '{fastupdate=off}', false)$$,
                'every GIN index of knowledge_nodes (searches read them) should take new entries at once (fastupdate off)');

-- A memory with a vector, then a search's touch of it by its owner.
SELECT vestige_test.user('a');
SELECT vestige_test.register_model();
CREATE TEMP TABLE m ON COMMIT DROP AS
SELECT vestige_test.memory(vestige_test.user('a'), 'the staging database is rebuilt every Monday', p_embedding => '[1,0,0]') AS id;
GRANT SELECT ON m TO vestige_app;
CREATE TEMP TABLE hot (at text, updated bigint, hot bigint) ON COMMIT DROP;
GRANT SELECT, INSERT ON hot TO vestige_app;
CREATE FUNCTION pg_temp.count_updates(p_at text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO hot SELECT p_at, pg_stat_get_xact_tuples_updated('vestige.knowledge_nodes'::regclass),
                            pg_stat_get_xact_tuples_hot_updated('vestige.knowledge_nodes'::regclass);
$$;
SET LOCAL ROLE vestige_app;
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT pg_temp.count_updates('before');
SELECT is(vestige.touch_memories(ARRAY[(SELECT id FROM m)]), 1, 'the owner''s touch should change the memory');
SELECT pg_temp.count_updates('after');
SELECT ok((SELECT a.hot - b.hot = 1 AND a.updated - b.updated = 1 FROM hot AS a, hot AS b WHERE a.at = 'after' AND b.at = 'before'),
          'the touch should be a HOT update: the new version on the same page, no index entry written');

SELECT * FROM finish();
ROLLBACK;
