-- Risks found by the control of government bodies become orders in the
-- project-management core (`control.raised`): a new source of orders,
-- 'control'. Mirrors migrations/sqlite/ of the same name.

alter table pm_order drop constraint pm_order_source_check;
alter table pm_order add constraint pm_order_source_check
    check (source in ('citizen_report', 'construction_check', 'meeting', 'federal_programme',
                      'manual', 'initiative', 'control'));
