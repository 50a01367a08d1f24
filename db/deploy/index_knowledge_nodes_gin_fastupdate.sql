-- Deploy vestige:index_knowledge_nodes_gin_fastupdate
-- With fastupdate (the default) a GIN index queues new entries in a pending list until a vacuum
-- merges them, and every search scans the whole list: after 10,000 memories were inserted, the
-- text leg's index scan took 8 ms instead of well under 1 (bench/README.md). The indexes
-- searches read take their entries at once instead; an insert pays a little more.

BEGIN;
SET LOCAL ROLE vestige_owner;

ALTER INDEX vestige.knowledge_nodes_search_tsv_idx SET (fastupdate = off);
ALTER INDEX vestige.knowledge_nodes_shared_with_groups_idx SET (fastupdate = off);
ALTER INDEX vestige.knowledge_nodes_tags_idx SET (fastupdate = off);

COMMIT;
