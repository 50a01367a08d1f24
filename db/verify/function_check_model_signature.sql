-- Verify vestige:function_check_model_signature

BEGIN;
SELECT vestige.check_model_signature('m', 3, repeat('a', 64));
ROLLBACK;
