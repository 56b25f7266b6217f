-- Autopilot (issue 8) can be switched off for one incident from the /rollback modal or the CLI.
alter table incidents add column autopilot boolean not null default true;
