-- Revert vestige:function_search_vector

BEGIN;
DROP FUNCTION vestige.search_vector(public.vector, text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean);
COMMIT;
