-- Federated installations (docs/FEDERATION.md): an instance of the
-- region's federation file signs with its Ed25519 key instead of a shared
-- secret, and its role tells what it hears (the Department of Control
-- receives every core's `order.updated`).
alter table integration_partner add column public_key text;
alter table integration_partner add column federation_role text;

-- An order of this core given to an organisation another instance owns:
-- it is carried out there (opened by `order.delegated`), and this row's
-- order follows its steps (`order.progress`).
create table pm_order_remote (
    order_id integer primary key references pm_order (order_id) on delete cascade,
    instance_id text not null,
    sent_at text not null
);
