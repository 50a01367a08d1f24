-- Revert vestige:function_memory_reviews

BEGIN;
DROP FUNCTION vestige.memory_reviews(uuid, integer);
COMMIT;
