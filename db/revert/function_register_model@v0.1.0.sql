-- Revert vestige:function_register_model

BEGIN;
DROP FUNCTION vestige.register_model(text, integer, text);
COMMIT;
