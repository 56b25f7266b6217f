-- Issue 13: a CLI action records the OS user and host it came from next to the claimed Slack id,
-- so the checklist can say "via CLI: alice@bastion-1" and two approvals need two OS accounts.
alter table approvals add column via jsonb;
alter table steps add column actor_via jsonb;
