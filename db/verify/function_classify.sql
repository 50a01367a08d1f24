-- Verify vestige:function_classify

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.classify(public.vector, text, integer)', 'EXECUTE')::int;
ROLLBACK;
