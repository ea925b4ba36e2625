-- Law-making's decisions become orders in the project-management core
-- (`initiative.decided`): a new source of orders, 'initiative'. Mirrors
-- migrations/sqlite/ of the same name.

alter table pm_order drop constraint pm_order_source_check;
alter table pm_order add constraint pm_order_source_check
    check (source in ('citizen_report', 'construction_check', 'meeting', 'federal_programme',
                      'manual', 'initiative'));
