-- pgTAP: vestige.update_intention changes an intention its owner names; NULL keeps a value;
-- snoozing needs a future time; another user's intention is "not found" and bad input changes
-- nothing.
BEGIN;
SELECT plan(33);

CREATE TEMP TABLE fx (name text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.fx(p_name text) RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.fx WHERE name = p_name $$;
GRANT SELECT ON fx TO vestige_app;
INSERT INTO fx VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob'));
INSERT INTO vestige.intentions (owner_user_id, content, trigger_type, trigger_data, priority, tags)
VALUES (pg_temp.fx('alice'), 'water the plants', 'time', '{"at": "2030-01-01T09:00:00+00:00"}', 2, '{home}'),
       (pg_temp.fx('alice'), 'think about it', 'manual', '{}', 1, '{}'),
       (pg_temp.fx('bob'), 'bob''s secret plan', 'manual', '{}', 3, '{}');
INSERT INTO fx SELECT 'plants', id FROM vestige.intentions WHERE content = 'water the plants';
INSERT INTO fx SELECT 'think', id FROM vestige.intentions WHERE content = 'think about it';
INSERT INTO fx SELECT 'bob_plan', id FROM vestige.intentions WHERE content = 'bob''s secret plan';

SELECT is_definer('vestige', 'update_intention',
                  ARRAY['uuid', 'text', 'text', 'integer', 'timestamp with time zone', 'timestamp with time zone', 'text', 'jsonb', 'text[]'],
                  'update_intention should be SECURITY DEFINER');

SET LOCAL ROLE vestige_app;

SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_status => 'fulfilled')$$, pg_temp.fx('plants')),
                 'VS001', NULL, 'update_intention without a caller identity should raise VS001');

SELECT vestige_test.act_as(pg_temp.fx('alice'));

-- NULL keeps every other value.
SELECT is(vestige.update_intention(p_id => pg_temp.fx('plants'), p_priority => 3), pg_temp.fx('plants'),
          'update_intention should return the id of the intention');
SELECT results_eq(
    format($$SELECT content, trigger_type, trigger_data, priority::integer, status, deadline, tags
               FROM vestige.intentions WHERE id = %L$$, pg_temp.fx('plants')),
    $$VALUES ('water the plants', 'time', '{"at": "2030-01-01T09:00:00+00:00"}'::jsonb, 3, 'active', NULL::timestamptz, ARRAY['home'])$$,
    'changing the priority should keep every other value');

SELECT lives_ok(format($$SELECT vestige.update_intention(p_id => %L, p_content => 'water the plants and the tree',
                                                       p_deadline => '2030-02-01Z', p_tags => ARRAY['home', 'garden'])$$,
                       pg_temp.fx('plants')),
                'the owner should change content, deadline and tags');
SELECT results_eq(
    format($$SELECT content, deadline, tags, priority::integer FROM vestige.intentions WHERE id = %L$$, pg_temp.fx('plants')),
    $$VALUES ('water the plants and the tree', '2030-02-01Z'::timestamptz, ARRAY['home', 'garden'], 3)$$,
    'the new content, deadline and tags should be stored, the priority kept');

SELECT lives_ok(format($$SELECT vestige.update_intention(p_id => %L, p_trigger_type => 'context',
                                                       p_trigger_data => '{"keywords": ["garden"]}')$$, pg_temp.fx('plants')),
                'the owner should change the trigger');
SELECT results_eq(
    format($$SELECT trigger_type, trigger_data FROM vestige.intentions WHERE id = %L$$, pg_temp.fx('plants')),
    $$VALUES ('context', '{"keywords": ["garden"]}'::jsonb)$$,
    'the new trigger should be stored');
SELECT lives_ok(format($$SELECT vestige.update_intention(p_id => %L, p_trigger_type => 'time',
                                                       p_trigger_data => '{"at": "2030-03-01 08:00+02"}')$$, pg_temp.fx('think')),
                'a manual intention should become a time intention');
SELECT is((SELECT (trigger_data ->> 'at')::timestamptz FROM vestige.intentions WHERE id = pg_temp.fx('think')),
          '2030-03-01 06:00Z'::timestamptz, 'the new time trigger should be stored normalised');

-- Snoozing.
SELECT lives_ok(format($$SELECT vestige.update_intention(p_id => %L, p_status => 'snoozed', p_snoozed_until => now() + interval '1 hour')$$,
                       pg_temp.fx('plants')),
                'the owner should snooze an intention until a future time');
SELECT results_eq(
    format($$SELECT status, snoozed_until FROM vestige.intentions WHERE id = %L$$, pg_temp.fx('plants')),
    $$VALUES ('snoozed', now() + interval '1 hour')$$,
    'the status and snoozed_until should be stored');
SELECT lives_ok(format($$SELECT vestige.update_intention(p_id => %L, p_content => 'water the plants, the tree and the roses')$$,
                       pg_temp.fx('plants')),
                'a snoozed intention should accept other changes and stay snoozed');
SELECT is((SELECT status FROM vestige.intentions WHERE id = pg_temp.fx('plants')), 'snoozed',
          'the intention should still be snoozed');
SELECT lives_ok(format($$SELECT vestige.update_intention(p_id => %L, p_status => 'active')$$, pg_temp.fx('plants')),
                'the owner should wake a snoozed intention');
SELECT results_eq(
    format($$SELECT status, snoozed_until FROM vestige.intentions WHERE id = %L$$, pg_temp.fx('plants')),
    $$VALUES ('active', NULL::timestamptz)$$,
    'waking should clear snoozed_until');
SELECT lives_ok(format($$SELECT vestige.update_intention(p_id => %L, p_status => 'fulfilled')$$, pg_temp.fx('plants')),
                'the owner should mark an intention fulfilled');
SELECT is((SELECT status FROM vestige.intentions WHERE id = pg_temp.fx('plants')), 'fulfilled',
          'the intention should be fulfilled');

-- Refusals: each leaves the intention as it was.
RESET ROLE;
CREATE TEMP TABLE mid ON COMMIT DROP AS SELECT * FROM vestige.intentions;
SET LOCAL ROLE vestige_app;
SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_status => 'snoozed', p_snoozed_until => now() - interval '1 minute')$$,
                        pg_temp.fx('think')),
                 'VS006', NULL, 'snoozing until a past time should raise VS006');
SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_status => 'snoozed')$$, pg_temp.fx('think')),
                 'VS006', NULL, 'snoozing without a snoozed_until should raise VS006');
SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_snoozed_until => now() + interval '1 day')$$, pg_temp.fx('think')),
                 'VS006', NULL, 'a snoozed_until without status snoozed should raise VS006');
SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_status => 'done')$$, pg_temp.fx('think')),
                 'VS006', NULL, 'an unknown status should raise VS006');
SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_content => ' ')$$, pg_temp.fx('think')),
                 'VS006', NULL, 'blank content should raise VS006');
SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_priority => 5)$$, pg_temp.fx('think')),
                 'VS006', NULL, 'priority 5 should raise VS006');
SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_trigger_type => 'sometime')$$, pg_temp.fx('think')),
                 'VS006', NULL, 'an unknown trigger type should raise VS006');
SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_trigger_data => '{}')$$, pg_temp.fx('think')),
                 'VS006', NULL, 'removing the time of a time trigger without a deadline should raise VS006');
SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_trigger_type => 'event')$$, pg_temp.fx('think')),
                 'VS006', NULL, 'switching to an event trigger without an event name should raise VS006');
SELECT throws_ok(format($$SELECT vestige.update_intention(p_id => %L, p_status => 'cancelled')$$, pg_temp.fx('bob_plan')),
                 'VS008', NULL, 'an intention of another user should be reported as not found (VS008)');
SELECT throws_ok($$SELECT vestige.update_intention(p_id => gen_random_uuid(), p_status => 'cancelled')$$,
                 'VS008', NULL, 'a missing intention should raise VS008');
SELECT throws_ok(format($$UPDATE vestige.intentions SET status = 'cancelled' WHERE id = %L$$, pg_temp.fx('bob_plan')),
                 '42501', NULL, 'a direct UPDATE of another user''s intention should be refused (42501)');
SELECT is((SELECT count(*) FROM vestige.intentions WHERE id = pg_temp.fx('bob_plan')), 0::bigint,
          'an intention of bob should be invisible to alice by direct SELECT');

RESET ROLE;
SELECT set_eq($$SELECT * FROM vestige.intentions$$, $$SELECT * FROM mid$$,
              'the refused calls and the refused direct UPDATE should change nothing');
SELECT results_eq(
    format($$SELECT content, status, priority::integer FROM vestige.intentions WHERE id = %L$$, pg_temp.fx('bob_plan')),
    $$VALUES ('bob''s secret plan', 'active', 3)$$,
    'bob''s intention should be as it was');

SELECT * FROM finish();
ROLLBACK;
