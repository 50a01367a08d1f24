-- deploy vestige:function_search_fts (placeholder: not written yet)

BEGIN;
COMMIT;
