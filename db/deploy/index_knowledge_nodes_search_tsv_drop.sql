-- Deploy vestige:index_knowledge_nodes_search_tsv_drop
-- No search reads knowledge_nodes' full-text index any more: search_hybrid's text leg ranks the
-- narrow rows of memory_words, through its own index. Every insert and every change of a
-- memory's words no longer pays for both.

BEGIN;
SET LOCAL ROLE vestige_owner;

DROP INDEX vestige.knowledge_nodes_search_tsv_idx;

COMMIT;
