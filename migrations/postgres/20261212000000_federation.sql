-- Federated installations (docs/FEDERATION.md): an instance of the
-- region's federation file signs with its Ed25519 key instead of a shared
-- secret, and its role tells what it hears (the Department of Control
-- receives every core's `order.updated`).
alter table integration_partner add column public_key text;
alter table integration_partner add column federation_role text;
