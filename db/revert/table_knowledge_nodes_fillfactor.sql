-- Revert vestige:table_knowledge_nodes_fillfactor

BEGIN;
SET LOCAL ROLE vestige_owner;

ALTER TABLE vestige.knowledge_nodes RESET (fillfactor);

COMMIT;
