-- revert vestige:function_search_vector (placeholder: not written yet)

BEGIN;
COMMIT;
