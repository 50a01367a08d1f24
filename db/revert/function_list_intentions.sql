-- revert vestige:function_list_intentions (placeholder: not written yet)

BEGIN;
COMMIT;
