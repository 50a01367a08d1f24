-- pgTAP: vestige.check_search — the one rule for a search's query and limit: a blank query or a
-- limit outside 1-1000 is refused with VS006, before anything is embedded or read.
BEGIN;
SELECT plan(12);

SELECT volatility_is('vestige', 'check_search', ARRAY['text', 'integer'], 'immutable', 'check_search should be IMMUTABLE');
SELECT function_privs_are('vestige', 'check_search', ARRAY['text', 'integer'], 'vestige_app', ARRAY['EXECUTE'],
                          'vestige_app should be allowed to execute check_search (the doors call it before embedding)');

SET LOCAL ROLE vestige_app;
SELECT lives_ok($$SELECT vestige.check_search('when do backups run?', 10)$$, 'a question and a limit of 10 should pass');
SELECT lives_ok($$SELECT vestige.check_search(NULL, 1)$$, 'a NULL query (a vector-only search) should pass');
SELECT lives_ok($$SELECT vestige.check_search('the', 1000)$$, 'stop words alone and a limit of 1000 should pass');
SELECT throws_ok($$SELECT vestige.check_search('', 10)$$, 'VS006', 'the query is empty', 'an empty query should raise VS006');
SELECT throws_ok($$SELECT vestige.check_search(E' \t\n', 10)$$, 'VS006', 'the query is empty',
                 'a query of white space only should raise VS006');
SELECT throws_ok($$SELECT vestige.check_search('x', 0)$$, 'VS006', 'invalid limit 0: must be between 1 and 1000',
                 'a limit of 0 should raise VS006');
SELECT throws_ok($$SELECT vestige.check_search('x', 1001)$$, 'VS006', 'invalid limit 1001: must be between 1 and 1000',
                 'a limit above 1000 should raise VS006');
SELECT throws_ok($$SELECT vestige.check_search('x', NULL)$$, 'VS006', 'invalid limit NULL: must be between 1 and 1000',
                 'a NULL limit should raise VS006');

-- The rule applies on every search door of the SQL API.
SELECT vestige_test.act_as(vestige_test.user('a'));
SELECT throws_ok($$SELECT * FROM vestige.search_fts(p_query => '  ')$$, 'VS006', 'the query is empty',
                 'search_fts should refuse a blank query');
SELECT throws_ok($$SELECT * FROM vestige.recall(p_query => '')$$, 'VS006', 'the query is empty',
                 'recall should refuse an empty query');

SELECT * FROM finish();
ROLLBACK;
