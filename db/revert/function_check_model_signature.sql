-- Revert vestige:function_check_model_signature

BEGIN;
DROP FUNCTION vestige.check_model_signature(text, integer, text);
COMMIT;
