-- pgTAP: vestige.retention_now, the read-time retention
--   0.7 x retrieval x R(days since last access, stability) + 0.3 x min(storage / 10, 1),
-- with the FSRS-6 curve R(t, S) = (1 + F t / S) ^ -0.1542, F = 0.9 ^ (-1 / 0.1542) - 1
-- = 0.98034649441..., so R(S, S) = 0.9 exactly. Expected values are computed by hand (and
-- checked in Python) at fixed timestamps; T0 = 2026-01-01 00:00 UTC.

BEGIN;
SELECT plan(14);

SET LOCAL ROLE vestige_app;

SELECT volatility_is('vestige', 'retention_now',
    ARRAY['double precision', 'double precision', 'timestamp with time zone', 'double precision', 'timestamp with time zone'],
    'immutable', 'retention_now should be immutable (it depends on its arguments only)');

SELECT is(vestige.retention_now(1, 10, '2026-01-01 00:00+00', 5, '2026-01-01 00:00+00'), 1.0::double precision,
    'at the moment of last access a full-strength memory should have retention 0.7 x 1 x 1 + 0.3 x 1 = 1');

SELECT is(round(vestige.retention_now(1, 10, '2026-01-01 00:00+00', 5, '2026-01-06 00:00+00')::numeric, 9), 0.930000000,
    'after exactly one stability (5 days of stability 5) retention should be 0.7 x 0.9 + 0.3 = 0.93');

SELECT is(round(vestige.retention_now(0.5, 2, '2026-01-01 00:00+00', NULL, '2026-01-02 00:00+00')::numeric, 9), 0.375000000,
    'a memory never reviewed (stability NULL) should decay with stability 1 day: 0.7 x 0.5 x 0.9 + 0.3 x 0.2 = 0.375');

SELECT is(round(vestige.retention_now(0.8, 5, '2026-01-01 00:00+00', 5, '2026-01-16 00:00+00')::numeric, 9), 0.603257338,
    'after three stabilities retention should be 0.7 x 0.8 x (1 + 3F)^-0.1542 + 0.3 x 0.5 = 0.603257338');

SELECT is(round(vestige.retention_now(1, 0, '2026-01-01 00:00+00', 2, '2026-01-11 00:00+00')::numeric, 9), 0.532369294,
    'with no storage strength retention should be 0.7 x R(10 days, stability 2) = 0.7 x 0.760527563 = 0.532369294');

SELECT is(vestige.retention_now(1, 0, '2026-01-01 00:00+00', 2, '2026-01-11 00:00+00'),
          vestige.retention_now(1, 0, '2026-01-01 00:00+00', 1, '2026-01-06 00:00+00'),
    'retention should depend on elapsed time over stability only: 10 days at stability 2 equals 5 days at stability 1');

SELECT is(round(vestige.retention_now(1, 0, '2026-01-01 00:00+00', 1, '2026-01-01 12:00+00')::numeric, 9), 0.658241002,
    'elapsed time should count in fractional days: half a day at stability 1 gives 0.7 x (1 + F/2)^-0.1542 = 0.658241002');

SELECT is(round(vestige.retention_now(0.8, 20, '2026-01-01 00:00+00', 3, '2025-12-31 00:00+00')::numeric, 9), 0.860000000,
    'a time before the last access should count as no elapsed time, and storage above 10 should cap at 0.3: 0.56 + 0.3 = 0.86');

SELECT is(round(vestige.retention_now(0, 25, '2026-01-01 00:00+00', 1, '2036-01-01 00:00+00')::numeric, 9), 0.300000000,
    'with no retrieval strength only the capped storage term 0.3 x min(25 / 10, 1) = 0.3 should remain, however long ago');

SELECT is(vestige.retention_now(0, 0, '2026-01-01 00:00+00', 1, '2026-01-01 00:00+00'), 0.0::double precision,
    'a memory with no strength at all should have retention 0');

SELECT ok(vestige.retention_now(1, 1, '2026-01-01 00:00+00', 3, '2026-01-11 00:00+00')
        < vestige.retention_now(1, 1, '2026-01-01 00:00+00', 3, '2026-01-02 00:00+00'),
    'retention should fall as time passes since the last access');

SELECT ok(vestige.retention_now(1, 1, '2026-01-01 00:00+00', 30, '2026-01-11 00:00+00')
        > vestige.retention_now(1, 1, '2026-01-01 00:00+00', 3, '2026-01-11 00:00+00'),
    'a memory with higher stability should keep more retention after the same time');

SELECT is(vestige.retention_now(NULL, 1, '2026-01-01 00:00+00', 3, '2026-01-11 00:00+00'), NULL,
    'a NULL strength should give a NULL retention, not a guess');

SELECT * FROM finish();
ROLLBACK;
