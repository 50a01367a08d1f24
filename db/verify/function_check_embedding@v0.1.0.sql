-- Verify vestige:function_check_embedding

BEGIN;
SELECT 1 / (vestige.check_embedding(NULL, NULL) IS NULL)::int;
ROLLBACK;
