-- Download counts of open datasets by Moscow month (opendata/downloads.rs):
-- the count only, never who. Mirrors migrations/sqlite/ of the same name.
create table opendata_download (
    dataset_id bigint not null references dataset (dataset_id) on delete cascade,
    month text not null,                        -- '2026-12'
    count bigint not null check (count >= 0),
    primary key (dataset_id, month)
);
