-- Revert vestige:function_check_embedding

BEGIN;
DROP FUNCTION vestige.check_embedding(public.vector, text);
COMMIT;
