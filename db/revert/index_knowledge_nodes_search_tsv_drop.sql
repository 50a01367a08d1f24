-- Revert vestige:index_knowledge_nodes_search_tsv_drop

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE INDEX knowledge_nodes_search_tsv_idx ON vestige.knowledge_nodes USING gin (search_tsv) WITH (fastupdate = off);

COMMIT;
