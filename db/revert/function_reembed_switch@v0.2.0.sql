-- Revert vestige:function_reembed_switch

BEGIN;
DROP FUNCTION vestige.reembed_switch(text);
COMMIT;
