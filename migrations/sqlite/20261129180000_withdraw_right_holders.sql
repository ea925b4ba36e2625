-- Constructions that became illegal before veche withdrew right-holders from
-- the versions of the open registry published earlier: a withdrawal each
-- (`opendata::redact`), carried out by the open-data worker.
insert into outbox (queue, dedup_key, payload, attempts, run_after, created_at)
select 'opendata.redact', 'backfill-' || object_id,
       json_object('source', 'construction', 'key_field', 'id',
                   'key', cast(object_id as text), 'fields', json_array('developer')),
       0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
from construction_object where illegal;

-- `/media/` finds the order of a photo by its key.
create index pm_attachment_media_idx on pm_attachment (media_key);
