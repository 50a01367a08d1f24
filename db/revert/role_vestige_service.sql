-- Revert vestige:role_vestige_service
-- Roles are cluster-wide and may serve other databases: revert leaves vestige_service in place.

BEGIN;
COMMIT;
