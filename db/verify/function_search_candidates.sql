-- Verify vestige:function_search_candidates

BEGIN;
SELECT 1 / (count(*) = 0)::int
  FROM vestige.search_candidates(NULL, NULL, NULL, 'no such codebase', NULL, NULL, NULL, false);
ROLLBACK;
