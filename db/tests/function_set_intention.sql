-- pgTAP: vestige.set_intention stores an intention owned by the caller; triggers, priority,
-- content and related memories are checked; intentions are private to their owner.
BEGIN;
SELECT plan(37);

CREATE TEMP TABLE fx (name text PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP;
CREATE FUNCTION pg_temp.fx(p_name text) RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT id FROM pg_temp.fx WHERE name = p_name $$;
GRANT SELECT, INSERT ON fx TO vestige_app;
INSERT INTO fx VALUES ('alice', vestige_test.user('alice')), ('bob', vestige_test.user('bob')),
                      ('carol', vestige_test.user('carol'));
INSERT INTO fx VALUES ('team', vestige_test.group('team', pg_temp.fx('alice'), ARRAY[pg_temp.fx('bob')]));
INSERT INTO fx VALUES ('alice_private', vestige_test.memory(pg_temp.fx('alice'), 'alice private note')),
                      ('alice_group', vestige_test.memory(pg_temp.fx('alice'), 'team note', 'group', ARRAY[pg_temp.fx('team')])),
                      ('carol_public', vestige_test.memory(pg_temp.fx('carol'), 'carol public note', 'public'));

SELECT is_definer('vestige', 'set_intention', ARRAY['text', 'text', 'jsonb', 'integer', 'timestamp with time zone', 'text[]', 'uuid[]'],
                  'set_intention should be SECURITY DEFINER');

SET LOCAL ROLE vestige_app;

SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'call the bank')$$, 'VS001', NULL,
                 'set_intention without a caller identity should raise VS001');

-- Alice: the defaults and each trigger type.
SELECT vestige_test.act_as(pg_temp.fx('alice'));
INSERT INTO fx SELECT 'manual', vestige.set_intention(p_content => 'call the bank');
SELECT results_eq(
    $$SELECT owner_user_id, content, trigger_type, trigger_data, priority::integer, status, deadline, tags, related_memory_ids
        FROM vestige.intentions WHERE id = pg_temp.fx('manual')$$,
    $$VALUES (pg_temp.fx('alice'), 'call the bank', 'manual', '{}'::jsonb, 2, 'active', NULL::timestamptz, '{}'::text[], '{}'::uuid[])$$,
    'an intention should be stored active, manual, priority 2, owned by the caller');
INSERT INTO fx SELECT 'time_at', vestige.set_intention(p_content => 'renew the certificate', p_trigger_type => 'time',
                                                       p_trigger_data => '{"at": "2030-01-01 10:00+01", "note": "kept"}',
                                                       p_priority => 4, p_tags => ARRAY['ops']);
SELECT results_eq(
    $$SELECT (trigger_data ->> 'at')::timestamptz, trigger_data ->> 'note', priority::integer, tags
        FROM vestige.intentions WHERE id = pg_temp.fx('time_at')$$,
    $$VALUES ('2030-01-01 09:00Z'::timestamptz, 'kept', 4, ARRAY['ops'])$$,
    'a time trigger should keep its time (normalised), its other data, the priority and the tags');
SELECT is((SELECT trigger_data ->> 'at' FROM vestige.intentions WHERE id = pg_temp.fx('time_at')),
          to_jsonb('2030-01-01 09:00Z'::timestamptz) #>> '{}',
          'trigger_data.at should be stored as an ISO 8601 timestamp');
SELECT lives_ok($$SELECT vestige.set_intention(p_content => 'file taxes', p_trigger_type => 'time', p_deadline => '2030-04-15')$$,
                'a time trigger with a deadline and no at should be accepted');
SELECT lives_ok($$SELECT vestige.set_intention(p_content => 'mention the release notes', p_trigger_type => 'context',
                                              p_trigger_data => '{"keywords": ["release", "deploy"]}')$$,
                'a context trigger with keywords should be accepted');
SELECT lives_ok($$SELECT vestige.set_intention(p_content => 'greet the user', p_trigger_type => 'event',
                                              p_trigger_data => '{"event": "session_start"}', p_priority => 1)$$,
                'an event trigger with an event name should be accepted');

-- Bob: related memories must be visible to him.
SELECT vestige_test.act_as(pg_temp.fx('bob'));
INSERT INTO fx SELECT 'bob_related', vestige.set_intention(
    p_content => 'read the team note again',
    p_related_memory_ids => ARRAY[pg_temp.fx('alice_group'), pg_temp.fx('carol_public'), pg_temp.fx('alice_group')]);
SELECT is((SELECT related_memory_ids FROM vestige.intentions WHERE id = pg_temp.fx('bob_related')),
          ARRAY[pg_temp.fx('alice_group'), pg_temp.fx('carol_public')],
          'related memories shared with the caller''s group or public should be accepted, once each, in order');
SELECT throws_ok(format($$SELECT vestige.set_intention(p_content => 'peek', p_related_memory_ids => ARRAY[%L::uuid])$$,
                        pg_temp.fx('alice_private')),
                 'VS008', NULL, 'a related memory that is private to another user should raise VS008');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'ghost', p_related_memory_ids => ARRAY[gen_random_uuid()])$$,
                 'VS008', NULL, 'a related memory that does not exist should raise VS008');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'null id', p_related_memory_ids => ARRAY[NULL::uuid])$$,
                 'VS006', NULL, 'a NULL related memory id should raise VS006');

-- Carol, a stranger to the group.
SELECT vestige_test.act_as(pg_temp.fx('carol'));
SELECT throws_ok(format($$SELECT vestige.set_intention(p_content => 'peek', p_related_memory_ids => ARRAY[%L::uuid])$$,
                        pg_temp.fx('alice_group')),
                 'VS008', NULL, 'a related group memory should raise VS008 for a user outside the group');
SELECT lives_ok(format($$SELECT vestige.set_intention(p_content => 'own note', p_related_memory_ids => ARRAY[%L::uuid])$$,
                        pg_temp.fx('carol_public')),
                'a related memory of the caller should be accepted');

-- Bad input (as alice).
SELECT vestige_test.act_as(pg_temp.fx('alice'));
SELECT throws_ok($$SELECT vestige.set_intention(p_content => NULL)$$, 'VS006', NULL, 'NULL content should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => '')$$, 'VS006', NULL, 'empty content should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => E' \n\t')$$, 'VS006', NULL, 'blank content should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => repeat('x', 1048577))$$, 'VS006', NULL,
                 'content over 1 MiB should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_type => 'sometime')$$, 'VS006', NULL,
                 'an unknown trigger type should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_type => NULL)$$, 'VS006', NULL,
                 'a NULL trigger type should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_data => '["at"]')$$, 'VS006', NULL,
                 'trigger data that is not an object should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_type => 'time')$$, 'VS006', NULL,
                 'a time trigger without at or deadline should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_type => 'time', p_trigger_data => '{"at": "next tuesdayish"}')$$,
                 'VS006', NULL, 'a time trigger whose at is not a timestamp should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_type => 'time', p_trigger_data => '{"at": 1893456000}',
                                               p_deadline => '2030-01-01')$$,
                 'VS006', NULL, 'a time trigger whose at is a number should raise VS006, even with a deadline');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_type => 'context')$$, 'VS006', NULL,
                 'a context trigger without keywords should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_type => 'context', p_trigger_data => '{"keywords": []}')$$,
                 'VS006', NULL, 'a context trigger with no keyword should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_type => 'context', p_trigger_data => '{"keywords": "deploy"}')$$,
                 'VS006', NULL, 'a context trigger whose keywords are not an array should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_type => 'context', p_trigger_data => '{"keywords": ["ok", 7]}')$$,
                 'VS006', NULL, 'a context trigger with a keyword that is not a string should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_trigger_type => 'event', p_trigger_data => '{"event": " "}')$$,
                 'VS006', NULL, 'an event trigger without an event name should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_priority => 0)$$, 'VS006', NULL, 'priority 0 should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_priority => 5)$$, 'VS006', NULL, 'priority 5 should raise VS006');
SELECT throws_ok($$SELECT vestige.set_intention(p_content => 'x', p_priority => NULL)$$, 'VS006', NULL, 'a NULL priority should raise VS006');

-- Privacy, also for direct SQL as vestige_app (row-level security).
SELECT set_eq($$SELECT content FROM vestige.intentions$$,
              ARRAY['call the bank', 'renew the certificate', 'file taxes', 'mention the release notes', 'greet the user'],
              'direct SELECT should show alice her own intentions only');
SELECT is((SELECT count(*) FROM vestige.intentions WHERE id = pg_temp.fx('bob_related')), 0::bigint,
          'an intention of bob should be invisible to alice by direct SELECT');
SELECT throws_ok(format($$INSERT INTO vestige.intentions (owner_user_id, content) VALUES (%L, 'planted')$$, pg_temp.fx('bob')),
                 '42501', NULL, 'vestige_app should not insert an intention for another user');
SELECT vestige_test.act_as(pg_temp.fx('bob'));
SELECT set_eq($$SELECT content FROM vestige.intentions$$, ARRAY['read the team note again'],
              'direct SELECT should show bob his own intention only');

RESET ROLE;
SELECT is((SELECT count(*) FROM vestige.intentions), 7::bigint,
          'only the accepted intentions should have been stored (the refused calls changed nothing)');

SELECT * FROM finish();
ROLLBACK;
