-- Delivery is tracked per channel: #incidents and #releases are rate limited separately by Slack,
-- so an event can be in one thread and still owed to the other. Events relayed before this
-- migration were handled for both channels.
alter table chat_relayed add column channel text;
update chat_relayed set channel = 'incidents';
insert into chat_relayed (incident_id, event_id, channel) select incident_id, event_id, 'releases' from chat_relayed;
alter table chat_relayed alter column channel set not null;
alter table chat_relayed add constraint chat_relayed_channel check (channel in ('incidents', 'releases'));
alter table chat_relayed drop constraint chat_relayed_pkey;
alter table chat_relayed add primary key (incident_id, channel, event_id);
