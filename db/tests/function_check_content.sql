-- pgTAP: vestige.check_content — not blank, at most 1 MiB (1048576 bytes) of UTF-8. The API
-- functions apply it as vestige_owner; the doors call it as vestige_app before they embed a text.
BEGIN;
SELECT plan(13);

SET LOCAL ROLE vestige_owner;

SELECT is(vestige.check_content('remember the milk'), 'remember the milk', 'valid content should be returned unchanged');
SELECT is(vestige.check_content('  padded  '), '  padded  ', 'content with surrounding spaces should be returned as given');
SELECT throws_ok($$SELECT vestige.check_content(NULL)$$, 'VS006', NULL, 'NULL content should raise VS006');
SELECT throws_ok($$SELECT vestige.check_content('')$$, 'VS006', NULL, 'empty content should raise VS006');
SELECT throws_ok($$SELECT vestige.check_content(E'  \t\n ')$$, 'VS006', NULL, 'whitespace-only content should raise VS006');
SELECT is(octet_length(vestige.check_content(repeat('x', 1048576))), 1048576, 'content of exactly 1 MiB should be accepted');
SELECT throws_ok($$SELECT vestige.check_content(repeat('x', 1048577))$$, 'VS006', NULL, 'content of 1 MiB + 1 byte should raise VS006');
SELECT is(octet_length(vestige.check_content(repeat('é', 524288))), 1048576,
          '524288 two-byte characters (exactly 1 MiB) should be accepted');
SELECT throws_ok($$SELECT vestige.check_content(repeat('é', 524289))$$, 'VS006', NULL,
                 '524289 two-byte characters should raise VS006: the limit counts bytes, not characters');
SELECT is(vestige.check_content('x'), 'x', 'a single character should be accepted');

-- Callable by the application role (the doors check a text before they embed it), with hints
-- that name no SQL parameter.
RESET ROLE;
SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT vestige.check_content(repeat('x', 2097152))$$, 'VS006',
                 'content is 2097152 bytes, more than the 1 MiB (1048576 bytes) limit',
                 'vestige_app should be allowed to call check_content, and get its refusal');
SELECT volatility_is('vestige', 'check_content', ARRAY['text'], 'immutable', 'check_content should be IMMUTABLE');
SELECT is(vestige.content_limit(), 1048576, 'vestige_app should read the limit, 1 MiB in bytes, from content_limit');

SELECT * FROM finish();
ROLLBACK;
