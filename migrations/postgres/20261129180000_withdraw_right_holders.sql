-- Constructions that became illegal before veche withdrew right-holders from
-- the versions of the open registry published earlier: a withdrawal each
-- (`opendata::redact`), carried out by the open-data worker.
insert into outbox (queue, dedup_key, payload, attempts, run_after, created_at)
select 'opendata.redact', 'backfill-' || object_id,
       jsonb_build_object('source', 'construction', 'key_field', 'id',
                          'key', object_id::text, 'fields', jsonb_build_array('developer')),
       0, date_trunc('second', now()), date_trunc('second', now())
from construction_object where illegal;

-- `/media/` finds the order of a photo by its key.
create index pm_attachment_media_idx on pm_attachment (media_key);
