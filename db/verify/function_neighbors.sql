-- verify vestige:function_neighbors (placeholder: not written yet)

BEGIN;
COMMIT;
