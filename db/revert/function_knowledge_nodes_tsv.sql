-- Revert vestige:function_knowledge_nodes_tsv

BEGIN;
REVOKE SELECT ON vestige.settings FROM vestige_app;
DROP FUNCTION vestige.knowledge_nodes_tsv();
DROP FUNCTION vestige.memory_tsv(regconfig, text, text, text[]);
COMMIT;
