-- Verify vestige:function_knowledge_nodes_tsv

BEGIN;
SELECT 'vestige.knowledge_nodes_tsv()'::regprocedure;
ROLLBACK;
