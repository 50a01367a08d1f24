-- Verify vestige:table_knowledge_nodes_fillfactor

BEGIN;
SELECT 1 / (c.reloptions @> '{fillfactor=75}')::int FROM pg_catalog.pg_class AS c WHERE c.oid = 'vestige.knowledge_nodes'::regclass;
ROLLBACK;
