-- pgTAP: a monitoring login (a member of vestige_monitor) runs vestige.health() and reads no
-- memory: not directly, not through an API function, not by naming a user.
BEGIN;
SELECT plan(7);

SELECT vestige_test.register_model();
SELECT vestige_test.memory(vestige_test.user('a'), 'a private plan');
SELECT set_config('vestige.user_id', vestige_test.user('a')::text, true);  -- the identity a monitor might claim
CREATE ROLE tap_monitor LOGIN IN ROLE vestige_monitor;
SET LOCAL SESSION AUTHORIZATION tap_monitor;

SELECT ok(NOT pg_has_role('tap_monitor', 'vestige_app', 'MEMBER'), 'a monitoring login should not be a member of vestige_app');
SELECT is((SELECT memories FROM vestige.health()), 1::bigint, 'a monitoring login should run vestige.health() (it counts the memory)');
SELECT throws_ok($$SELECT count(*) FROM vestige.knowledge_nodes$$, '42501', NULL, 'a monitoring login should not read memories directly');
SELECT throws_ok($$SELECT count(*) FROM vestige.intentions$$, '42501', NULL, 'a monitoring login should not read intentions directly');
SELECT throws_ok($$SELECT * FROM vestige.list_memories()$$, '42501', NULL, 'a monitoring login should not call list_memories, even naming a user');
SELECT throws_ok($$SELECT * FROM vestige.search_fts('plan')$$, '42501', NULL, 'a monitoring login should not search');
SELECT throws_ok($$SELECT * FROM vestige.stats()$$, '42501', NULL, 'a monitoring login should not read the per-user stats');

SELECT * FROM finish();
ROLLBACK;
