-- Verify vestige:function_content_limit

BEGIN;
SELECT 1 / (vestige.content_limit() = 1048576)::int;
ROLLBACK;
