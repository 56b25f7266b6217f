-- Which timeline events are already in chat (thread lines, milestones, checklist updates).
-- Per event rather than a high-water mark: timeline ids are assigned at insert but committed in
-- any order, so a cursor could step over an event whose transaction commits later. The relay
-- marks an event only after Slack accepted its line: a crash re-sends, never loses.
create table chat_relayed (
  incident_id text not null references incidents (id),
  event_id bigint not null,
  primary key (incident_id, event_id)
);
