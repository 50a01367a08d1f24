-- Verify vestige:table_memory_words

BEGIN;
SELECT id, owner_user_id, visibility, shared_with_groups, superseded, search_tsv
  FROM vestige.memory_words WHERE false;
SELECT 1 / (count(*) = 2)::int FROM pg_catalog.pg_trigger
 WHERE tgrelid = 'vestige.knowledge_nodes'::regclass
   AND tgname IN ('knowledge_nodes_words_insert', 'knowledge_nodes_words_update');
SELECT 1 / (NOT pg_catalog.has_table_privilege('vestige_app', 'vestige.memory_words', 'SELECT'))::int;
ROLLBACK;
