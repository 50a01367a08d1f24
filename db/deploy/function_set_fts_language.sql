-- deploy vestige:function_set_fts_language (placeholder: not written yet)

BEGIN;
COMMIT;
