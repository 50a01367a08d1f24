-- Verify vestige:function_check_content

BEGIN;
SELECT 1 / (vestige.check_content('x') = 'x')::int;
ROLLBACK;
