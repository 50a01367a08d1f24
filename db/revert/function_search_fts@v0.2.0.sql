-- Revert vestige:function_search_fts

BEGIN;
DROP FUNCTION vestige.search_fts(text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean);
COMMIT;
