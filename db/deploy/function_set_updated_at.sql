-- Deploy vestige:function_set_updated_at
-- Trigger function: stamp updated_at on every update.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = vestige, pg_catalog, pg_temp
AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION vestige.set_updated_at() IS 'Trigger function: set updated_at to the transaction time on update.';

COMMIT;
