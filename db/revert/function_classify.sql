-- Revert vestige:function_classify

BEGIN;
DROP FUNCTION vestige.classify(public.vector, text, integer);
COMMIT;
