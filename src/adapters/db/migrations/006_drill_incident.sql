-- Issue 9 §4: an incident can be a drill (a game day, or drill mode's simulated world). It still
-- acts on whatever cluster the bot points at; the flag makes every surface say so, and keeps the
-- GitHub issue comment and the #releases milestones (people outside the drill) quiet.
alter table incidents add column drill boolean not null default false;
