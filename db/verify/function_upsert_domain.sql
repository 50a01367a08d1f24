-- verify vestige:function_upsert_domain (placeholder: not written yet)

BEGIN;
COMMIT;
