-- Revert vestige:table_memory_words

BEGIN;
SET LOCAL ROLE vestige_owner;

DROP TRIGGER knowledge_nodes_words_update ON vestige.knowledge_nodes;
DROP TRIGGER knowledge_nodes_words_insert ON vestige.knowledge_nodes;
DROP FUNCTION vestige.memory_words_sync();
DROP TABLE vestige.memory_words;

COMMIT;
