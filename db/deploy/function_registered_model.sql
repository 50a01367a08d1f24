-- Deploy vestige:function_registered_model
-- The active embedding model with its generation, and the pending and previous models when a
-- reembed is running or can be rolled back. No row when nothing is registered yet.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer like every API function; it reads only the registry, which holds no memories.
CREATE FUNCTION vestige.registered_model()
RETURNS TABLE (
    name               text,
    dimension          integer,
    hash               text,
    generation         bigint,
    registered_at      timestamptz,
    pending_name       text,
    pending_dimension  integer,
    pending_hash       text,
    previous_name      text,
    previous_dimension integer,
    previous_hash      text
)
LANGUAGE sql
STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
    SELECT a.name, a.dimension, a.hash, a.generation, a.registered_at,
           p.name, p.dimension, p.hash,
           v.name, v.dimension, v.hash
      FROM vestige.embedding_model AS a
      LEFT JOIN vestige.embedding_model AS p ON p.slot = 'pending'
      LEFT JOIN vestige.embedding_model AS v ON v.slot = 'previous'
     WHERE a.slot = 'active';
$$;

COMMENT ON FUNCTION vestige.registered_model() IS
'Return the active embedding model (name, dimension, hash, generation, registered_at) with the pending and previous models, or no row when none is registered. The generation changes at every model switch.';

GRANT EXECUTE ON FUNCTION vestige.registered_model() TO vestige_app;

COMMIT;
