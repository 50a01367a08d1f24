-- Verify vestige:function_review

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.review(uuid, integer, timestamptz)', 'EXECUTE')::int;
ROLLBACK;
