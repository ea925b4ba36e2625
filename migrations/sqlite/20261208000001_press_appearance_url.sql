-- A story is found again by the link of any of its appearances, not only
-- by the first one's: an undated repost seen again after the window of
-- title deduplication is the story already kept (docs/PRESS.md).
create index press_appearance_url_idx on press_appearance (url);
