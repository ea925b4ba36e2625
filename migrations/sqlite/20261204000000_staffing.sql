-- Staff completeness (src/staffing/, docs/STAFFING.md): an organisation's
-- structural units, its staffing schedules after the unified form Т-3
-- (versions with the approving order), the positions with stable ids,
-- placement (who holds which post at what rate, from when to when),
-- absences that leave a post temporarily vacant, vacancies, the risk
-- thresholds per organisation and the risk flags raised. Mirrors
-- migrations/postgres/ of the same name. Dates are YYYY-MM-DD.

create table staff_unit (
    unit_id integer primary key autoincrement,
    organisation_id text not null references organisation (organisation_id),
    parent_id integer references staff_unit (unit_id),
    -- The unit's code in the schedule (Т-3, column 2): its stable id.
    code text not null,
    name text not null,
    unique (organisation_id, code)
);

create table staff_schedule (
    schedule_id integer primary key autoincrement,
    organisation_id text not null references organisation (organisation_id),
    order_number text not null,
    order_date text not null,
    valid_from text not null,
    -- The last day it is in force; null: until the next version.
    valid_to text,
    imported_by integer references account (account_id),
    created_at text not null,
    unique (organisation_id, valid_from)
);

-- A position keeps its id across versions and reorganisations: its code
-- is the one the department's own system (1C:ZUP) gives it.
create table staff_position (
    position_id integer primary key autoincrement,
    organisation_id text not null references organisation (organisation_id),
    code text not null,
    -- The first day it is in any version (days vacant count from it when
    -- nothing else tells).
    since text,
    unique (organisation_id, code)
);

create table staff_line (
    schedule_id integer not null references staff_schedule (schedule_id),
    position_id integer not null references staff_position (position_id),
    unit_id integer not null references staff_unit (unit_id),
    title text not null,
    category text not null check (category in ('heads', 'assistants', 'specialists', 'support')),
    grade text not null check (grade in ('highest', 'main', 'leading', 'senior', 'junior', '')),
    key_position integer not null default 0,
    -- Staff units in hundredths: 0.5 of a rate is 50.
    rates integer not null check (rates > 0),
    salary integer not null default 0,          -- kopecks a month
    allowances integer not null default 0,      -- kopecks a month
    primary key (schedule_id, position_id)
);
create index staff_line_position_idx on staff_line (position_id);

-- Placement. `person_name` is internal: it never leaves the staff pages.
create table staff_assignment (
    assignment_id integer primary key autoincrement,
    position_id integer not null references staff_position (position_id),
    person_name text not null,
    rate integer not null check (rate > 0),     -- hundredths
    acting integer not null default 0,          -- временно исполняющий обязанности
    starts_on text not null,
    ends_on text,                               -- the last day held
    created_at text not null
);
create index staff_assignment_position_idx on staff_assignment (position_id, starts_on);

create table staff_absence (
    absence_id integer primary key autoincrement,
    assignment_id integer not null references staff_assignment (assignment_id),
    kind text not null check (kind in ('maternity', 'long_leave')),
    starts_on text not null,
    ends_on text
);
create index staff_absence_assignment_idx on staff_absence (assignment_id);

create table staff_vacancy (
    vacancy_id integer primary key autoincrement,
    position_id integer not null references staff_position (position_id),
    opened_on text not null,
    published_on text,                          -- e.g. on the civil-service vacancy portal
    closed_on text
);
create index staff_vacancy_position_idx on staff_vacancy (position_id);

create table staff_thresholds (
    organisation_id text primary key references organisation (organisation_id),
    key_vacant_days integer not null,
    unit_min_fill integer not null,             -- percent
    acting_max integer not null                 -- percent
);

-- A raised risk; one open flag per (kind, subject), closed when it clears.
create table staff_flag (
    flag_id integer primary key autoincrement,
    organisation_id text not null references organisation (organisation_id),
    kind text not null check (kind in ('key_vacant', 'unit_fill', 'unit_acting')),
    subject integer not null,                   -- a position (key_vacant) or a unit
    unit_id integer not null references staff_unit (unit_id),
    value integer not null,                     -- days vacant or the percentage
    raised_at text not null,
    cleared_at text
);
create unique index staff_flag_open_idx on staff_flag (kind, subject) where cleared_at is null;
create index staff_flag_organisation_idx on staff_flag (organisation_id, cleared_at);
