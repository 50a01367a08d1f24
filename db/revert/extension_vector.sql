-- Revert vestige:extension_vector
-- Drops pgvector unless something outside vestige still uses it (then it is kept, with a notice).

BEGIN;

DO $$
BEGIN
    DROP EXTENSION IF EXISTS vector;
EXCEPTION WHEN dependent_objects_still_exist THEN
    RAISE NOTICE 'extension vector is still used by other objects; left in place';
END
$$;

COMMIT;
