-- Revert vestige:function_recall

BEGIN;
DROP FUNCTION vestige.recall(text, public.vector, text, integer, text[], text[], text, double precision, boolean);
COMMIT;
