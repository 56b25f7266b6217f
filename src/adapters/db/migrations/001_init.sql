-- Rollback Commander's own state. Every state change writes its timeline event in the same
-- transaction; the timeline is append-only, enforced here rather than by convention.

create sequence incident_numbers;

create table incidents (
  id text primary key default ('rb-' || nextval('incident_numbers')::text),
  seq bigint generated always as identity unique,
  environment text not null,
  state text not null check (state in ('open', 'resolved', 'aborted')),
  bad_version text not null,
  target_version text,
  target_source text,
  severity text not null check (severity in ('P1', 'P2')),
  trigger text not null,
  critical boolean not null default false,
  issue_url text,
  created_by text not null,
  created_at timestamptz not null,
  impact_started_at timestamptz,
  detected_at timestamptz not null,
  decided_at timestamptz,
  restored_at timestamptz,
  resolved_at timestamptz,
  chat jsonb not null default '{}'::jsonb,
  check (impact_started_at is null or impact_started_at <= detected_at)
);

-- One active rollback per environment.
create unique index incidents_one_open_per_environment on incidents (environment) where state = 'open';

create table steps (
  incident_id text not null references incidents (id),
  step_id text not null,
  state text not null,
  attempt integer not null default 0,
  version integer not null default 1,
  output jsonb not null default '{}'::jsonb,
  summary text,
  error text,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null,
  actor text,
  primary key (incident_id, step_id)
);

create table approvals (
  id bigint generated always as identity primary key,
  incident_id text not null references incidents (id),
  step_id text not null,
  attempt integer not null,
  role text not null,
  user_id text not null,
  at timestamptz not null,
  -- a two-person approval needs two different people
  unique (incident_id, step_id, attempt, user_id)
);

create table timeline (
  id bigint generated always as identity primary key,
  incident_id text not null references incidents (id),
  at timestamptz not null,
  actor text not null,
  kind text not null,
  step_id text,
  payload jsonb not null default '{}'::jsonb
);
create index timeline_incident on timeline (incident_id, id);

create function timeline_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'the timeline is append-only: % is not allowed', tg_op;
end $$;
create trigger timeline_no_update before update or delete on timeline
  for each row execute function timeline_is_append_only();
create trigger timeline_no_truncate before truncate on timeline
  for each statement execute function timeline_is_append_only();

-- Images known to be good (every incident's restored state, and `mark-good`).
create table known_good (
  id bigint generated always as identity primary key,
  environment text not null,
  version text,
  images jsonb not null,
  source text not null,
  recorded_by text not null,
  recorded_at timestamptz not null
);
create index known_good_environment on known_good (environment, id desc);
