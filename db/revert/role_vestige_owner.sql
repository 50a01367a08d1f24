-- Revert vestige:role_vestige_owner
-- Roles are cluster-wide and may serve other databases: revert leaves vestige_owner in place.

BEGIN;
COMMIT;
