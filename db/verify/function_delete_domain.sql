-- verify vestige:function_delete_domain (placeholder: not written yet)

BEGIN;
COMMIT;
