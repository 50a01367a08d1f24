-- Revert vestige:table_knowledge_nodes

BEGIN;
DROP TABLE vestige.knowledge_nodes;
COMMIT;
