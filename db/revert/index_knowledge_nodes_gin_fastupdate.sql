-- Revert vestige:index_knowledge_nodes_gin_fastupdate

BEGIN;
SET LOCAL ROLE vestige_owner;

ALTER INDEX vestige.knowledge_nodes_search_tsv_idx RESET (fastupdate);
ALTER INDEX vestige.knowledge_nodes_shared_with_groups_idx RESET (fastupdate);
ALTER INDEX vestige.knowledge_nodes_tags_idx RESET (fastupdate);

COMMIT;
