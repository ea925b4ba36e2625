-- Court cases (src/courts/, docs/COURTS.md): a case of one of our
-- organisations, its parties, its instances with hearings and a
-- chronology, enforcement, the deadline rules per procedure code (data,
-- seeded below) and the deadline alerts that opened orders in the core.
-- Mirrors migrations/postgres/ of the same name. Amounts are kopecks;
-- dates are YYYY-MM-DD text, times UTC RFC 3339 text.

create table court_case (
    case_id integer primary key autoincrement,
    organisation_id text not null references organisation (organisation_id),
    role text not null check (role in ('plaintiff', 'defendant', 'third_party')),
    subject text not null,
    category text not null check (category in ('contract', 'property', 'land', 'labour', 'tax',
                                               'acts', 'damages', 'other')),
    procedure text not null check (procedure in ('apk', 'gpk', 'kas')),
    claimed bigint not null check (claimed >= 0),
    awarded bigint check (awarded >= 0),
    risk text not null check (risk in ('probable', 'possible', 'remote')),
    lawyer_account_id integer references account (account_id),
    link text not null default '',
    -- The outcome of the latest instance that decided, kept with the case
    -- for the statistics: pending until a decision.
    outcome text not null default 'pending'
        check (outcome in ('pending', 'won', 'lost', 'partly', 'settled')),
    -- The day the last decision came into force with no instance after it.
    final_on text,
    created_by integer references account (account_id),
    created_at text not null,
    updated_at text not null
);
create index court_case_organisation_idx on court_case (organisation_id);

create table court_party (
    party_id integer primary key autoincrement,
    case_id integer not null references court_case (case_id),
    -- A private person's name, ИНН and role stay on the staff pages.
    kind text not null check (kind in ('organisation', 'person')),
    role text not null check (role in ('plaintiff', 'defendant', 'third_party')),
    name text not null,
    inn text,
    ogrn text
);
create index court_party_case_idx on court_party (case_id);
create index court_party_inn_idx on court_party (inn);

create table court_instance (
    instance_id integer primary key autoincrement,
    case_id integer not null references court_case (case_id),
    level text not null check (level in ('first', 'appeal', 'cassation', 'supervisory')),
    court text not null,
    number text not null,
    -- Our organisation, the court and the number, normalised
    -- (`courts::domain::dedup_key`): an organisation knows a case once;
    -- two of our bodies in one case each keep their card.
    dedup_key text not null unique,
    received_on text not null,
    decided_on text,
    full_text_on text,
    in_force_on text,
    outcome text check (outcome in ('won', 'lost', 'partly', 'settled')),
    unique (case_id, level)
);

create table court_hearing (
    hearing_id integer primary key autoincrement,
    instance_id integer not null references court_instance (instance_id),
    starts_at text not null,
    courtroom text not null default '',
    result text not null default '',
    reminded_at text
);
create index court_hearing_starts_idx on court_hearing (starts_at);
create index court_hearing_instance_idx on court_hearing (instance_id);

create table court_event (
    event_id integer primary key autoincrement,
    instance_id integer not null references court_instance (instance_id),
    day text not null,
    kind text not null,
    result text not null default '',
    document text not null default ''
);
create index court_event_instance_idx on court_event (instance_id, day);

create table court_enforcement (
    enforcement_id integer primary key autoincrement,
    case_id integer not null references court_case (case_id),
    writ_number text not null,
    writ_date text not null,
    -- The finance body or treasury office it was sent to (Budget Code,
    -- ch. 24.1) and the day it arrived there: the payment period runs
    -- from it.
    body text not null,
    received_on text not null,
    due_on text not null,
    amount bigint not null check (amount >= 0),
    paid bigint not null default 0 check (paid >= 0)
);
create index court_enforcement_case_idx on court_enforcement (case_id);

-- The period to go to the next instance after a decision, per procedure
-- code: data, because codes change.
create table court_deadline_rule (
    rule_code text primary key,
    procedure text not null check (procedure in ('apk', 'gpk', 'kas')),
    from_level text not null check (from_level in ('first', 'appeal', 'cassation')),
    next_level text not null check (next_level in ('appeal', 'cassation', 'supervisory')),
    -- Counted from the decision in full (or its day when the full text's
    -- is not known) or from the day it came into force.
    anchor text not null check (anchor in ('full_text', 'in_force')),
    months integer not null check (months between 0 and 24),
    -- The order opens this many days before the period ends.
    warn_days integer not null check (warn_days between 0 and 90),
    article text not null,
    unique (procedure, from_level)
);
insert into court_deadline_rule values
    ('apk-259', 'apk', 'first', 'appeal', 'full_text', 1, 14, 'АПК РФ, ст. 259'),
    ('apk-276', 'apk', 'appeal', 'cassation', 'in_force', 2, 20, 'АПК РФ, ст. 276'),
    ('apk-291.2', 'apk', 'cassation', 'supervisory', 'in_force', 2, 20, 'АПК РФ, ст. 291.2'),
    ('gpk-321', 'gpk', 'first', 'appeal', 'full_text', 1, 14, 'ГПК РФ, ст. 321'),
    ('gpk-376.1', 'gpk', 'appeal', 'cassation', 'in_force', 3, 30, 'ГПК РФ, ст. 376.1'),
    ('gpk-390.3', 'gpk', 'cassation', 'supervisory', 'in_force', 3, 30, 'ГПК РФ, ст. 390.3'),
    ('kas-298', 'kas', 'first', 'appeal', 'full_text', 1, 14, 'КАС РФ, ст. 298'),
    ('kas-318', 'kas', 'appeal', 'cassation', 'in_force', 6, 30, 'КАС РФ, ст. 318'),
    ('kas-332', 'kas', 'cassation', 'supervisory', 'in_force', 3, 30, 'КАС РФ, ст. 332');

-- A deadline that opened an order in the core; closed when the next
-- instance is recorded, the decision is changed, or the period is long
-- over. One open per instance and rule, whatever runs twice; a corrected
-- decision may open another later.
create table court_alert (
    alert_id integer primary key autoincrement,
    instance_id integer not null references court_instance (instance_id),
    rule_code text not null references court_deadline_rule (rule_code),
    due_on text not null,
    opened_at text not null,
    closed_at text
);
create unique index court_alert_open_idx on court_alert (instance_id, rule_code)
    where closed_at is null;
