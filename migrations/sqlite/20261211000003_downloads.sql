-- Download counts of open datasets by Moscow month (opendata/downloads.rs):
-- the count only, never who. Mirrors migrations/postgres/ of the same name.
create table opendata_download (
    dataset_id integer not null references dataset (dataset_id) on delete cascade,
    month text not null,                        -- '2026-12'
    count integer not null check (count >= 0),
    primary key (dataset_id, month)
);
