-- Verify vestige:function_recall

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app',
    'vestige.recall(text, public.vector, text, integer, text[], text[], text[], text, timestamptz, timestamptz, double precision, boolean, text, boolean)', 'EXECUTE')::int;
ROLLBACK;
