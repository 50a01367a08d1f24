-- Verify vestige:table_knowledge_nodes

BEGIN;
SELECT id, content, node_type, tags, source, metadata, domains, domain_scores, codebase,
       valid_from, valid_until, owner_user_id, visibility, shared_with_groups,
       storage_strength, retrieval_strength, retention_strength, access_count, last_accessed,
       protected, superseded_by, created_at, updated_at, embedding, search_tsv
  FROM vestige.knowledge_nodes WHERE false;
SELECT 1 / count(*) FROM pg_catalog.pg_class
 WHERE oid = 'vestige.knowledge_nodes'::regclass AND relrowsecurity;
ROLLBACK;
