-- Revert vestige:policy_edges_visibility

BEGIN;
DROP POLICY edges_select ON vestige.edges;
COMMIT;
