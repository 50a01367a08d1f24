-- revert vestige:function_remove_edge (placeholder: not written yet)

BEGIN;
COMMIT;
