-- The parts of the demo region already generated (src/demo): each part is
-- written in one transaction together with its row here, so a restart
-- generates only what is missing and never twice.
create table demo_part (
    name text primary key,
    items bigint not null,
    loaded_at timestamptz not null
);
