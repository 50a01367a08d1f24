-- pgTAP: vestige.fsrs_retrievability, the FSRS-6 power forgetting curve, against py-fsrs 6.3.2.
BEGIN;
SELECT plan(8);

SELECT has_function('vestige', 'fsrs_retrievability', ARRAY['double precision', 'double precision', 'double precision'],
    'vestige.fsrs_retrievability(elapsed days, stability, decay) should exist');
SELECT volatility_is('vestige', 'fsrs_retrievability', ARRAY['double precision', 'double precision', 'double precision'], 'immutable',
    'the forgetting curve should be immutable');
SELECT is(vestige.fsrs_retrievability(0, 5), 1.0::double precision,
    'retrievability right after a review should be 1');
SELECT cmp_ok(abs(vestige.fsrs_retrievability(10, 10) - 0.9), '<', 1e-12::double precision,
    'retrievability after as many days as the stability should be 0.9 (the desired retention)');
SELECT is(vestige.fsrs_retrievability(-3, 5), 1.0::double precision,
    'a negative elapsed time should count as zero days');
SELECT cmp_ok(abs(vestige.fsrs_retrievability(29, 2.3065) / 0.6707659487653179 - 1), '<', 1e-12::double precision,
    'retrievability after 29 days at stability 2.3065 should equal py-fsrs (0.6707659487653179)');
SELECT ok(vestige.fsrs_retrievability(30, 8.2956) > vestige.fsrs_retrievability(31, 8.2956),
    'retrievability should fall as time passes');
SELECT is(vestige.fsrs_retrievability(17, 3.5), vestige.fsrs_retrievability(17, 3.5, (vestige.fsrs_parameters()).w[20]),
    'the default decay should be w20 of vestige.fsrs_parameters(), the one place of the FSRS parameters');

SELECT * FROM finish();
ROLLBACK;
