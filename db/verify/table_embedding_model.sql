-- Verify vestige:table_embedding_model

BEGIN;
SELECT slot, name, dimension, hash, generation, registered_at FROM vestige.embedding_model WHERE false;
ROLLBACK;
