-- Verify vestige:function_knowledge_nodes_stale_vectors

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_proc
 WHERE oid = 'vestige.knowledge_nodes_stale_vectors()'::regprocedure AND prorettype = 'trigger'::regtype;
ROLLBACK;
