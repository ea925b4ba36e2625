-- The staff's phone app (issue 19, docs/STAFF_APP.md): actions queued on a
-- phone without a signal carry the order's version they were made against
-- and a one-time key; a key is recorded with the first answer in the same
-- transaction as the action, so a replay gets that answer and applies
-- nothing. Web Push: the server's VAPID key pair (made once) and the
-- browsers' subscriptions, per account and device. Mirrors
-- migrations/postgres/ of the same name.

alter table pm_order add column version integer not null default 0;

create table pm_client_action (
    account_id integer not null references account (account_id) on delete cascade,
    client_key text not null,
    order_id integer not null references pm_order (order_id) on delete cascade,
    status integer not null,
    answer text not null,
    created_at text not null,
    primary key (account_id, client_key)
);

create table push_vapid (
    id integer primary key check (id = 1),
    private_key text not null,
    public_key text not null,
    created_at text not null
);

create table push_subscription (
    subscription_id integer primary key autoincrement,
    account_id integer not null references account (account_id) on delete cascade,
    endpoint text not null unique,
    p256dh text not null,
    auth text not null,
    scope text not null,
    created_at text not null
);
create index push_subscription_account_idx on push_subscription (account_id);
