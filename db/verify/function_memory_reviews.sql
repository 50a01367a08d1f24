-- Verify vestige:function_memory_reviews

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.memory_reviews(uuid, integer)', 'EXECUTE')::int;
ROLLBACK;
