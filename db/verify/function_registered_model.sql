-- Verify vestige:function_registered_model

BEGIN;
SELECT name, dimension, hash, generation, registered_at, pending_name, pending_dimension, pending_hash,
       previous_name, previous_dimension, previous_hash
  FROM vestige.registered_model() WHERE false;
ROLLBACK;
