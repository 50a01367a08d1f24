-- Verify vestige:index_knowledge_nodes_gin_fastupdate
-- (The text index is dropped by a later change, index_knowledge_nodes_search_tsv_drop: while it
-- exists it must have fastupdate off too.)

BEGIN;
SELECT 1 / (count(*) FILTER (WHERE c.reloptions @> '{fastupdate=off}') = count(*)
            AND count(*) FILTER (WHERE c.relname <> 'knowledge_nodes_search_tsv_idx') = 2)::int
  FROM pg_catalog.pg_class AS c
 WHERE c.oid IN (to_regclass('vestige.knowledge_nodes_search_tsv_idx'), 'vestige.knowledge_nodes_shared_with_groups_idx'::regclass,
                 'vestige.knowledge_nodes_tags_idx'::regclass);
ROLLBACK;
