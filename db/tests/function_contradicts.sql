-- pgTAP: vestige.contradicts — the contradiction signal of ingest, on the pair: nearly the same
-- words, and a negation on one side only, or changed numbers (times, versions, numeric dates)
-- or changed named days and months.
BEGIN;
SELECT plan(29);

SELECT volatility_is('vestige', 'contradicts', ARRAY['text', 'text'], 'immutable', 'contradicts should be IMMUTABLE');

SET LOCAL ROLE vestige_app;
-- Negation.
SELECT ok(vestige.contradicts('Alice does not like coffee', 'Alice likes coffee'), 'a negation on the new side only should contradict');
SELECT ok(vestige.contradicts('We use Postgres', 'We never use Postgres'), 'a negation on the old side only should contradict');
SELECT ok(vestige.contradicts('The cache isn''t shared', 'The cache is shared'), 'n''t should count as a negation');
SELECT ok(vestige.contradicts('Bob NO LONGER works here', 'Bob works here'), 'negations should match whatever their case');
SELECT ok(NOT vestige.contradicts('Alice does not like tea', 'Alice does not drink tea'), 'a negation on both sides should not contradict');
SELECT ok(NOT vestige.contradicts('The notebook is on the desk', 'The notebook is in the drawer'),
          'a word that only starts with a negation (notebook) should not count');
-- Numbers.
SELECT ok(vestige.contradicts('Backups run at 03:00', 'Backups run at 02:00'), 'a changed time should contradict');
SELECT ok(vestige.contradicts('We are on Postgres 18', 'We are on Postgres 16'), 'a changed version should contradict');
SELECT ok(vestige.contradicts('The release is on 2026-12-08', 'The release is on 2026-12-01'), 'a changed numeric date should contradict');
SELECT ok(NOT vestige.contradicts('Backups run at 02:00 every night', 'At 02:00 the backups run'), 'the same numbers should not contradict');
SELECT ok(NOT vestige.contradicts('Backups run at 02:00', 'Backups run nightly'), 'numbers on one side only should not contradict');
-- Named days and months.
SELECT ok(vestige.contradicts('The meeting is on Tuesday', 'The meeting is on Monday'), 'a changed weekday should contradict');
SELECT ok(vestige.contradicts('We ship in MARCH', 'We ship in february'), 'a changed month should contradict, whatever the case');
SELECT ok(NOT vestige.contradicts('On Monday we deploy', 'We deploy every monday'), 'the same day should not contradict');
SELECT ok(NOT vestige.contradicts('It may rain in April', 'It rains in April'), '"may" should not count as a month');
SELECT ok(NOT vestige.contradicts('The meeting is on Monday in room 4', 'The meeting is on Monday'),
          'a number on one side only, with the same day, should not contradict');
-- The pair rule: a changed value or a negation about another subject is no contradiction.
SELECT ok(NOT vestige.contradicts('Build server beta has 32 GB RAM', 'Build server alpha has 16 GB RAM'),
          'another subject (beta, not alpha) with another number should not contradict');
SELECT ok(NOT vestige.contradicts('Build server alpha has 16 GB RAM', 'Build server beta has 32 GB RAM'),
          'nor the other way round');
SELECT ok(vestige.contradicts('Build server alpha has 32 GB RAM', 'Build server alpha has 16 GB RAM'),
          'the same subject with another number should contradict');
SELECT ok(vestige.contradicts('Build server alpha now has 32 GB RAM', 'Build server alpha has 16 GB RAM'),
          'a word or two more (now) around the changed number should still contradict');
SELECT ok(vestige.contradicts('Build server alpha has 16 GB RAM', 'Build server alpha now has 32 GB RAM'),
          'also when the old text is the one with the word more');
SELECT ok(NOT vestige.contradicts('Build server alpha has 32 GB RAM and runs the nightly integration tests', 'Build server alpha has 16 GB RAM'),
          'many words more is another statement, not a correction');
SELECT ok(NOT vestige.contradicts('Carol does not like coffee', 'Alice likes coffee'), 'a negation about someone else should not contradict');
SELECT ok(NOT vestige.contradicts('Backups run at 02:00 and 04:00', 'Backups run at 02:00'),
          'a value added (two against one) should not contradict');
SELECT ok(vestige.contradicts('Standup from 10:00 to 10:15', 'Standup from 09:00 to 09:15'), 'two values changed in place should contradict');
SELECT ok(NOT vestige.contradicts('Build server alpha has 16 GB RAM', 'Build server alpha has 16 GB RAM'), 'a text should not contradict itself');
-- Unrelated wording, and NULL.
SELECT ok(NOT vestige.contradicts('Backups run nightly', 'Backups are made every night'), 'a rewording should not contradict');
SELECT is(vestige.contradicts(NULL, 'x'), NULL, 'a NULL text should give NULL');

SELECT * FROM finish();
ROLLBACK;
