-- Revert vestige:policy_knowledge_nodes_visibility

BEGIN;
DROP POLICY knowledge_nodes_delete ON vestige.knowledge_nodes;
DROP POLICY knowledge_nodes_update ON vestige.knowledge_nodes;
DROP POLICY knowledge_nodes_insert ON vestige.knowledge_nodes;
DROP POLICY knowledge_nodes_select ON vestige.knowledge_nodes;
COMMIT;
