-- pgTAP: vestige.check_embedding — the registry check every vector passes before it is stored
-- or compared. A private helper: tested as vestige_owner, the role the API functions run as.
BEGIN;
SELECT plan(16);

-- The test model's hash, vestige_test.model_hash(), is repeat('a', 64); vestige_owner cannot
-- read schema vestige_test, so the literal is used below.
SET LOCAL ROLE vestige_owner;

-- Before any model is registered.
SELECT is(vestige.check_embedding(NULL, NULL), NULL::public.vector, 'a NULL vector should pass before registration');
SELECT throws_ok($$SELECT vestige.check_embedding('[1,0,0]', repeat('a', 64))$$,
                 'VS002', NULL, 'a vector before any model is registered should raise VS002');

RESET ROLE;
SELECT vestige_test.register_model();  -- test-model, 3-d, hash repeat('a', 64)
SET LOCAL ROLE vestige_owner;

-- The registered 3-d model.
SELECT is(vestige.check_embedding('[1,2,3]', repeat('a', 64)), '[1,2,3]'::public.vector,
          'a 3-d vector with the registered hash should be returned unchanged');
SELECT is(vestige.check_embedding(NULL, NULL), NULL::public.vector, 'a NULL vector should pass without a hash');
SELECT is(vestige.check_embedding(NULL, repeat('b', 64)), NULL::public.vector, 'a NULL vector should pass whatever the hash');
SELECT throws_ok($$SELECT vestige.check_embedding('[1,0,0]', repeat('b', 64))$$,
                 'VS003', NULL, 'a vector with another model hash should raise VS003');
SELECT throws_ok($$SELECT vestige.check_embedding('[1,0,0]', NULL)$$,
                 'VS003', NULL, 'a vector without a model hash should raise VS003');
SELECT throws_ok($$SELECT vestige.check_embedding('[1,0]', repeat('a', 64))$$,
                 'VS004', NULL, 'a 2-d vector against the 3-d model should raise VS004');
SELECT throws_ok($$SELECT vestige.check_embedding('[1,0,0,0]', repeat('a', 64))$$,
                 'VS004', NULL, 'a 4-d vector against the 3-d model should raise VS004');
SELECT throws_ok($$SELECT vestige.check_embedding('[0,0,0]', repeat('a', 64))$$,
                 'VS007', NULL, 'a zero vector should raise VS007 (no direction for cosine distance)');
SELECT is(vestige.check_embedding('[0,0,1e-30]', repeat('a', 64)), '[0,0,1e-30]'::public.vector,
          'a tiny but non-zero vector should pass');
SELECT throws_ok($$SELECT vestige.check_embedding('[NaN,0,1]', repeat('a', 64))$$,
                 '22000', NULL, 'a NaN component should be refused by pgvector with SQLSTATE 22000');
SELECT throws_ok($$SELECT vestige.check_embedding('[Infinity,0,1]', repeat('a', 64))$$,
                 '22000', NULL, 'an infinite component should be refused by pgvector with SQLSTATE 22000');

-- A private helper: not callable by the application role.
RESET ROLE;
SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT vestige.check_embedding('[1,0,0]', vestige_test.model_hash())$$,
                 '42501', NULL, 'vestige_app should not be allowed to execute the private helper check_embedding');
SELECT isnt_definer('vestige', 'check_embedding', ARRAY['vector', 'text'],
                    'check_embedding should be SECURITY INVOKER (a helper of the definer API)');
SELECT volatility_is('vestige', 'check_embedding', ARRAY['vector', 'text'], 'volatile',
                     'check_embedding should be volatile (it takes the model lock, then reads the registry in a fresh snapshot)');

SELECT * FROM finish();
ROLLBACK;
