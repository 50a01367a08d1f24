-- pgTAP: vestige.registered_model — no row before registration, the active model after, with
-- the pending and previous slots when they are filled.
BEGIN;
SELECT plan(10);

SET LOCAL ROLE vestige_app;

-- Nothing registered yet.
SELECT is_empty($$SELECT * FROM vestige.registered_model()$$, 'registered_model should return no row before any registration');

-- After registration (through register_model, as vestige_app).
SELECT vestige_test.register_model();
SELECT is((SELECT count(*)::int FROM vestige.registered_model()), 1, 'registered_model should return exactly one row after registration');
SELECT results_eq(
    $$SELECT name, dimension, hash, generation FROM vestige.registered_model()$$,
    $$VALUES ('test-model'::text, 3, vestige_test.model_hash(), 1::bigint)$$,
    'registered_model should return the name, dimension, hash and generation 1 of the active model');
SELECT results_eq(
    $$SELECT pending_name, pending_dimension, pending_hash, previous_name, previous_dimension, previous_hash FROM vestige.registered_model()$$,
    $$VALUES (NULL::text, NULL::integer, NULL::text, NULL::text, NULL::integer, NULL::text)$$,
    'without a reembed the pending and previous columns should be NULL');
SELECT is((SELECT registered_at FROM vestige.registered_model()), now(), 'registered_at should be the time of the registration');
SELECT vestige_test.act_as(NULL);
SELECT lives_ok($$SELECT * FROM vestige.registered_model()$$, 'registered_model should need no caller identity (it holds no memories)');

-- With a reembed running (pending) and a model kept for rollback (previous), written as superuser.
RESET ROLE;
INSERT INTO vestige.embedding_model (slot, name, dimension, hash, generation)
VALUES ('pending', 'next-model', 4, repeat('b', 64), 2), ('previous', 'old-model', 2, repeat('c', 64), 1);
SET LOCAL ROLE vestige_app;
SELECT results_eq(
    $$SELECT name, generation, pending_name, pending_dimension, pending_hash, previous_name, previous_dimension, previous_hash
        FROM vestige.registered_model()$$,
    $$VALUES ('test-model'::text, 1::bigint, 'next-model'::text, 4, repeat('b', 64), 'old-model'::text, 2, repeat('c', 64))$$,
    'registered_model should report the pending and previous models next to the active one');
SELECT is((SELECT count(*)::int FROM vestige.registered_model()), 1, 'registered_model should still return one row with all three slots filled');

-- Privileges.
SELECT ok(has_function_privilege('vestige_app', 'vestige.registered_model()', 'EXECUTE'),
          'vestige_app should be allowed to execute registered_model');
SELECT ok(NOT has_function_privilege('public', 'vestige.registered_model()', 'EXECUTE'),
          'PUBLIC should not be allowed to execute registered_model');

SELECT * FROM finish();
ROLLBACK;
