-- Revert vestige:table_embedding_model

BEGIN;
DROP TABLE vestige.embedding_model;
COMMIT;
