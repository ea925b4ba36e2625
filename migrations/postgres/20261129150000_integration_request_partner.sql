-- Which partner each citizen's request was sent to (with `order.requested`):
-- `local` (the core in this process) or an integration partner. Only that
-- partner may answer or refer the request, and only it hears of its later
-- changes (docs/PM.md, "Partners act on what was sent to them").
-- Mirrors migrations/sqlite/ of the same name.
create table integration_request_partner (
    appeal_id bigint not null references appeal (appeal_id) on delete cascade,
    partner_id text not null,
    sent_at timestamptz not null,
    primary key (appeal_id, partner_id)
);

-- Requests already answered by orders of the core in this process were
-- sent to `local`. Where a remote core got them cannot be told from here:
-- such a core's answers to requests sent before this release are refused.
insert into integration_request_partner (appeal_id, partner_id, sent_at)
select o.appeal_id, 'local', min(o.created_at)
from pm_order o
where o.origin = 'local' and o.parent_id is null
  and o.appeal_id in (select appeal_id from appeal)
group by o.appeal_id;
