-- verify vestige:function_check_intentions (placeholder: not written yet)

BEGIN;
COMMIT;
