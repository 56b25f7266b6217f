/**
 * `rollback-commander doctor`: the pre-incident checks of PRODUCT.md, one line each with what to
 * fix — Slack scopes, GitHub token permissions, Kubernetes access (a SelfSubjectAccessReview per
 * verb the bot uses), the Deployments (present, container, not paused), and both Redis servers.
 * A check whose system is not configured fails and says what to set: doctor never passes silently.
 */
import { Redis } from 'ioredis';
import { type AccessCheck, createK8sAccessReview } from '../adapters/k8s/k8s-access-review.ts';
import { rbacManifestFor } from '../adapters/k8s/k8s-errors.ts';
import type { Container } from './container.ts';
import { doctorGitOps } from './doctor-gitops.ts';
import { type DoctorGroup, doctorGroup } from './doctor-groups.ts';
import type { SlackServices } from './slack/slack-services.ts';

export interface DoctorCheck {
  name: string;
  run(): Promise<string>;
}

/** Thrown by a check for a risk worth fixing that does not stop the bot working: WARN, not FAIL. */
export class DoctorWarning extends Error {}

const SLACK_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'usergroups:read'];

/** Every verb the bot uses on Deployments and ReplicaSets (revert, rollout watch, history, restart). */
const KUBE_VERBS: AccessCheck[] = [
  { verb: 'get', group: 'apps', resource: 'deployments' },
  { verb: 'list', group: 'apps', resource: 'deployments' },
  { verb: 'watch', group: 'apps', resource: 'deployments' },
  { verb: 'patch', group: 'apps', resource: 'deployments' },
  { verb: 'list', group: 'apps', resource: 'replicasets' },
];

export function doctorChecks(c: Container, slack: SlackServices | null, extra: DoctorCheck[] = []): DoctorCheck[] {
  const { runbook, target } = c.config;
  return [
    {
      name: 'bot database',
      run: async () => String((await c.pool.query<{ v: string }>('select version() as v')).rows[0]?.v.split(' on ')[0]),
    },
    { name: 'bot timeline', run: () => timelineOwnership(c) },
    { name: 'bot redis', run: async () => `PING → ${await c.redis.ping()}` },
    {
      name: 'slack',
      run: async () => {
        if (!slack) throw new Error('SLACK_BOT_TOKEN is not set: only the CLI can drive rollbacks');
        const res = await slack.client.auth.test();
        const scopes = res.response_metadata?.scopes ?? [];
        const missing = SLACK_SCOPES.filter((s) => !scopes.includes(s));
        if (missing.length)
          throw new Error(
            `the bot token lacks ${missing.join(', ')}: add them under OAuth & Permissions (manifest.yml lists them) and reinstall`,
          );
        return `authenticated as ${res.user ?? res.user_id} with ${SLACK_SCOPES.join(', ')}`;
      },
    },
    {
      name: 'github',
      run: async () => {
        if (!c.sourceControl)
          throw new Error(
            'GITHUB_TOKEN is not set (nor GITHUB_APP_ID with its private key): pause/resume deploys and the tag cross-check cannot run',
          );
        const results = await c.sourceControl.checkAccess({ workflows: runbook.github.deploy_workflows });
        const bad = results.filter((r) => !r.ok);
        if (bad.length) throw new Error(bad.map((r) => `${r.check}: ${r.detail}`).join('; '));
        const auth = c.config.github?.kind === 'app' ? 'as GitHub App' : 'with GITHUB_TOKEN';
        return `${auth}: ${results.map((r) => `${r.check} (${r.detail})`).join('; ')}`;
      },
    },
    {
      name: 'kubernetes access',
      run: async () => {
        if (c.kubeError) throw c.kubeError;
        const namespace = runbook.environment.kube.namespace;
        const review = createK8sAccessReview({ kubeConfig: c.kubeConfig, namespace });
        // backup_promote reads and writes one Secret, which deploy/ grants by name only.
        const secret = runbook.database?.promotion?.secret;
        const checks = secret
          ? [...KUBE_VERBS, ...['get', 'patch'].map((verb) => ({ verb, group: '', resource: 'secrets', name: secret }))]
          : KUBE_VERBS;
        const said = (v: AccessCheck) => `${v.verb} ${v.resource}${v.name ? `/${v.name}` : ''}`;
        const denied = (await review.checkAccess(checks)).filter((r) => !r.allowed);
        if (denied.length) {
          const files = [...new Set(denied.map((d) => rbacManifestFor(d.resource)))].join(' and ');
          throw new Error(
            `RBAC denies ${denied.map(said).join(', ')} in ${namespace}: grant them to the bot's service account (the Role in ${files})`,
          );
        }
        return `${checks.map(said).join(', ')} allowed in ${namespace}`;
      },
    },
    ...runbook.deployments.map((d) => ({
      name: `deployment ${d.name}`,
      run: async () => {
        const snap = await c.deployments.get(d.name);
        if (snap.paused)
          throw new Error(
            `paused — a new image would never roll out: kubectl rollout resume deploy/${d.name} -n ${snap.namespace}`,
          );
        const image = snap.containers.find((x) => x.container === d.container)?.image;
        if (!image)
          throw new Error(
            `no container "${d.container}" (it has ${snap.containers.map((x) => x.container).join(', ')}): fix deployments[].container`,
          );
        return `${snap.namespace}/${d.name} runs ${image}`;
      },
    })),
    { name: 'gitops', run: () => doctorGitOps(c) },
    {
      name: 'app redis (backlog)',
      run: async () => {
        if (!target.redisUrl)
          throw new Error(
            `${runbook.target.redis_url_env} is not set: capture_context and queue_health need the app's Redis`,
          );
        const redis = new Redis(target.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
        redis.on('error', () => undefined);
        try {
          return `LLEN ${runbook.target.backlog_key} = ${await redis.llen(runbook.target.backlog_key)}`;
        } finally {
          redis.disconnect();
        }
      },
    },
    ...extra,
  ];
}

export interface DoctorResult {
  name: string;
  group: DoctorGroup;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

/** Runs every check, even after a failure: one wrong setting must not hide the others. */
export async function checkAll(checks: DoctorCheck[]): Promise<DoctorResult[]> {
  const results: DoctorResult[] = [];
  for (const check of checks) {
    try {
      results.push({ name: check.name, group: doctorGroup(check.name), status: 'ok', detail: await check.run() });
    } catch (err) {
      const status = err instanceof DoctorWarning ? 'warn' : 'fail';
      results.push({ name: check.name, group: doctorGroup(check.name), status, detail: (err as Error).message });
    }
  }
  return results;
}

const LABEL = { ok: 'ok   ', warn: 'WARN ', fail: 'FAIL ' } as const;

export async function runDoctor(checks: DoctorCheck[], out: (line: string) => void): Promise<boolean> {
  const results = await checkAll(checks);
  for (const r of results) out(`${LABEL[r.status]} ${r.name}: ${r.detail}`);
  return results.every((r) => r.status !== 'fail');
}

/**
 * The timeline is append-only by a trigger, which its table's owner (or a superuser) may drop:
 * the bot's runtime role should only read and append (DATABASE_OWNER_URL, README "Database roles").
 */
async function timelineOwnership(c: Container): Promise<string> {
  const schema = c.config.env.DATABASE_SCHEMA;
  const { rows } = await c.pool.query<{ me: string; owner: string; owns: boolean }>(
    `select current_user as me, pg_get_userbyid(t.relowner) as owner,
            pg_has_role(current_user, t.relowner, 'USAGE') as owns
       from pg_class t join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = $1 and t.relname = 'timeline'`,
    [schema],
  );
  const row = rows[0];
  if (!row) throw new Error(`no table ${schema}.timeline: start the bot once to create its tables`);
  if (row.owns) {
    throw new DoctorWarning(
      `the runtime role ${row.me} owns ${schema}.timeline (or is a superuser), so it could drop the append-only ` +
        'trigger and rewrite history: set DATABASE_OWNER_URL to a separate owner role that runs the migrations ' +
        '(README "Database roles")',
    );
  }
  return `${schema}.timeline is owned by ${row.owner}; the runtime role ${row.me} may only read and append to it`;
}
