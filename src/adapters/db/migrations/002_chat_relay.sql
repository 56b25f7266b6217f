-- How far each incident's timeline has been relayed to chat (thread lines, milestones, checklist
-- updates). The relay advances it only after Slack accepted the lines, so a crash re-sends rather
-- than loses; an advisory lock lets one bot replica relay an incident at a time.
create table chat_relay (
  incident_id text primary key references incidents (id),
  last_event_id bigint not null default 0,
  updated_at timestamptz not null default now()
);
