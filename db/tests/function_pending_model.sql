-- pgTAP: vestige.pending_model — the pending model of a running switch, checked against the
-- caller's model hash. A private helper of reembed_apply and reembed_switch: tested as the
-- superuser that runs them.
BEGIN;
SELECT plan(7);

SELECT throws_ok($$SELECT vestige.pending_model(repeat('b', 64))$$,
                 'VS014', NULL, 'with nothing registered there is no switch in progress: VS014');

SELECT vestige_test.register_model();  -- test-model, 3-d, hash repeat('a', 64)
SELECT throws_ok($$SELECT vestige.pending_model(repeat('a', 64))$$,
                 'VS014', NULL, 'the active model is not a pending one: VS014');

SELECT is(vestige.reembed_prepare('next-model', 2, repeat('b', 64)), 'prepared', 'a switch to next-model should start');
SELECT is((vestige.pending_model(repeat('b', 64))).name, 'next-model', 'the pending hash should return the pending row');
SELECT is((vestige.pending_model(repeat('b', 64))).dimension, 2, 'the row should carry the pending dimension');
SELECT throws_ok($$SELECT vestige.pending_model(repeat('a', 64))$$,
                 'VS003', NULL, 'the active model''s hash is not the pending one: VS003');
SELECT throws_ok($$SELECT vestige.pending_model(NULL)$$,
                 'VS003', NULL, 'a NULL hash should raise VS003');

SELECT * FROM finish();
ROLLBACK;
