-- deploy vestige:function_edges_of (placeholder: not written yet)

BEGIN;
COMMIT;
