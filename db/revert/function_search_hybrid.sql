-- revert vestige:function_search_hybrid (placeholder: not written yet)

BEGIN;
COMMIT;
