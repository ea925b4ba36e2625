-- Dictations recognised and waiting for the speaker to confirm the order
-- they became (docs/VOICE.md). The recording is in
-- <data>/media/files/<media_key>; once the order is confirmed it is the
-- order's attachment and `order_id` says which. Nothing here is an order:
-- a dictation never confirmed is removed with its file after a day.
create table pm_dictation (
    dictation_id integer primary key autoincrement,
    account_id integer not null references account (account_id) on delete cascade,
    media_key text not null,
    content_type text not null,
    size integer not null,
    transcript text not null,
    order_id integer references pm_order (order_id) on delete set null,
    created_at text not null
);
create index pm_dictation_created_idx on pm_dictation (created_at);
