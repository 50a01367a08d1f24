-- revert vestige:function_get_domain (placeholder: not written yet)

BEGIN;
COMMIT;
