-- deploy vestige:function_add_edge (placeholder: not written yet)

BEGIN;
COMMIT;
