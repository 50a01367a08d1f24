-- Verify vestige:index_knowledge_nodes_gin_fastupdate

BEGIN;
SELECT 1 / (count(*) = 3)::int
  FROM pg_catalog.pg_class AS c
 WHERE c.oid IN ('vestige.knowledge_nodes_search_tsv_idx'::regclass, 'vestige.knowledge_nodes_shared_with_groups_idx'::regclass,
                 'vestige.knowledge_nodes_tags_idx'::regclass)
   AND c.reloptions @> '{fastupdate=off}';
ROLLBACK;
