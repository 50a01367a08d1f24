-- pgTAP: vestige.model_lock — the transaction advisory lock that orders vector work around a
-- model switch: vestige.check_embedding takes it shared, vestige.reembed_switch exclusively.
-- A private helper: tested as vestige_owner, the role the API functions run as.
BEGIN;
SELECT plan(14);

-- Fixtures (superuser): the 3-d test model, and a view of this backend's model locks.
SELECT vestige_test.register_model();
CREATE FUNCTION pg_temp.model_locks() RETURNS TABLE (mode text, granted boolean)
LANGUAGE sql VOLATILE AS $$
    SELECT l.mode, l.granted
      FROM pg_locks AS l
     CROSS JOIN (SELECT hashtextextended('vestige.embedding_model', 0) AS k) AS key
     WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid()
       AND l.classid::bigint = ((key.k >> 32) & 4294967295)
       AND l.objid::bigint = (key.k & 4294967295)
       AND l.objsubid = 1
$$;
CREATE FUNCTION pg_temp.advisory_locks() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT count(*) FROM pg_locks AS l WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid()
$$;

SET LOCAL ROLE vestige_owner;

SELECT is(pg_temp.advisory_locks(), 0::bigint, 'the backend should hold no advisory lock at the start');

-- A NULL vector passes through without the lock: nothing to order.
SELECT is(vestige.check_embedding(NULL, NULL), NULL::public.vector, 'check_embedding of a NULL vector should return NULL');
SELECT is(pg_temp.advisory_locks(), 0::bigint, 'check_embedding of a NULL vector should take no advisory lock');

-- A vector takes the model lock shared, held to the end of the transaction.
SELECT is(vestige.check_embedding('[1,0,0]', repeat('a', 64)), '[1,0,0]'::public.vector,
          'check_embedding of a vector of the registered model should return it');
SELECT is(pg_temp.advisory_locks(), 1::bigint, 'check_embedding of a vector should leave one advisory lock held by the backend');
SELECT results_eq($$SELECT mode, granted FROM pg_temp.model_locks()$$,
                  $$VALUES ('ShareLock'::text, true)$$,
                  'the advisory lock after check_embedding should be the model lock, granted in shared mode');
SELECT throws_ok($$SELECT vestige.check_embedding('[1,0,0]', repeat('b', 64))$$, 'VS003', NULL,
                 'check_embedding should still raise VS003 for another model hash once it holds the lock');

-- Shared then exclusive in the same transaction: the backend does not wait on itself.
SELECT lives_ok($$SELECT vestige.model_lock(false)$$, 'model_lock(false) should take the model lock shared');
SELECT lives_ok($$SELECT vestige.model_lock(true)$$,
                'model_lock(true) after model_lock(false) in the same transaction should take it exclusively without waiting');
SELECT set_eq($$SELECT mode FROM pg_temp.model_locks() WHERE granted$$,
              $$VALUES ('ShareLock'::text), ('ExclusiveLock')$$,
              'the backend should hold the model lock in both shared and exclusive mode');
SELECT is(pg_temp.advisory_locks(), 2::bigint, 'the model lock should be the only advisory lock held (one row per mode)');

-- A private helper: not callable by the application role.
RESET ROLE;
SELECT isnt_definer('vestige', 'model_lock', ARRAY['boolean'], 'model_lock should be SECURITY INVOKER');
SELECT volatility_is('vestige', 'model_lock', ARRAY['boolean'], 'volatile', 'model_lock should be volatile (it takes a lock)');
SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT vestige.model_lock(true)$$, '42501', NULL,
                 'vestige_app should not be allowed to execute model_lock');

SELECT * FROM finish();
ROLLBACK;
