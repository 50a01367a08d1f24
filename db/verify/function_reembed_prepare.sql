-- Verify vestige:function_reembed_prepare

BEGIN;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.reembed_prepare(text, integer, text, boolean)', 'EXECUTE'))::int;
ROLLBACK;
