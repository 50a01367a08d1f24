-- Revert vestige:function_search_candidates

BEGIN;
DROP FUNCTION vestige.search_candidates(text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean);
COMMIT;
