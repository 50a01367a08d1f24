-- verify vestige:function_list_domains (placeholder: not written yet)

BEGIN;
COMMIT;
