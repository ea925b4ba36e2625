-- A key the citizen's form carries (a fresh random id on each form page).
-- The phone app sends a draft saved offline when the signal returns, and
-- may send it again if the answer was lost on the way: the same key from
-- the same author files one request, not two.
alter table appeal add column client_key text;
create unique index appeal_client_key on appeal (author_id, client_key) where client_key is not null;
