-- Revert vestige:function_search_hybrid

BEGIN;
DROP FUNCTION vestige.search_hybrid(text, public.vector, text, integer, integer, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean);
COMMIT;
