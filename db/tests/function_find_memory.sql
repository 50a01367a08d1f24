-- pgTAP: vestige.find_memory — a visible memory by its id or the first characters of it; others'
-- private memories are neither found nor counted.
BEGIN;
SELECT plan(11);

SELECT is_definer('vestige', 'find_memory', ARRAY['text'], 'find_memory should be SECURITY DEFINER');
SELECT function_privs_are('vestige', 'find_memory', ARRAY['text'], 'vestige_app', ARRAY['EXECUTE'],
                          'vestige_app should be allowed to execute find_memory');

-- Fixtures: ids chosen to share prefixes.
SELECT vestige_test.user('a'), vestige_test.user('b');
INSERT INTO vestige.knowledge_nodes (id, content, owner_user_id) VALUES
  ('abcd1111-0000-4000-8000-000000000001', 'mine',           vestige_test.user('a')),
  ('abcd2222-0000-4000-8000-000000000002', 'mine too',       vestige_test.user('a')),
  ('abce0000-0000-4000-8000-000000000003', 'bob''s private', vestige_test.user('b'));

SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT vestige.find_memory('abcd1')$$, 'VS001', NULL, 'find_memory without a caller identity should raise VS001');
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT is(vestige.find_memory('abcd1'), 'abcd1111-0000-4000-8000-000000000001'::uuid, 'a unique prefix should give the memory');
SELECT is(vestige.find_memory('ABCD-2222'), 'abcd2222-0000-4000-8000-000000000002'::uuid, 'dashes and case should not matter');
SELECT is(vestige.find_memory('abcd1111-0000-4000-8000-000000000001'), 'abcd1111-0000-4000-8000-000000000001'::uuid,
          'a whole id should give the memory');
SELECT throws_ok($$SELECT vestige.find_memory('abcd')$$, 'VS006', 'more than one memory has an id starting with abcd',
                 'a prefix two visible memories share should be refused as ambiguous');
SELECT throws_ok($$SELECT vestige.find_memory('abc')$$, 'VS006', NULL, 'fewer than 4 hex digits should raise VS006');
SELECT throws_ok($$SELECT vestige.find_memory('zzzz')$$, 'VS006', NULL, 'non-hex text should raise VS006');
SELECT throws_ok($$SELECT vestige.find_memory('abce')$$, 'VS008', 'no memory you can see has an id starting with abce',
                 'another user''s private memory should not be found, exactly like a missing one');
SELECT vestige_test.act_as(vestige_test.user('b'));
SELECT is(vestige.find_memory('abce'), 'abce0000-0000-4000-8000-000000000003'::uuid,
          'the owner should find their own private memory by its prefix');

SELECT * FROM finish();
ROLLBACK;
