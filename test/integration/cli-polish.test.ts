/**
 * The CLI as people expect from kubectl/gh/helm (issue 10 §4): --version, `-o json` with stable
 * field names, examples and step ids in --help, shell completion, `doctor --only`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STEP_IDS } from '../../src/domain/steps.ts';
import { createHarness, type Harness } from '../support/e2e-harness.ts';
import { SRE } from '../support/runbook-config.ts';

let h: Harness;
let incidentId: string;

beforeAll(async () => {
  h = await createHarness();
  delete h.env.GITHUB_TOKEN;
  const started = await h.cli('start', 'v1.2.3', '--no-autopilot', '--as', SRE);
  incidentId = /started (rb-\d+)/.exec(started.out)![1]!;
});
afterAll(() => h?.close());

it('prints the version from package.json, and mark-good keeps its own --version', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(await h.cli('--version')).toMatchObject({ code: 0, out: pkg.version });
  expect(await h.cli('-V')).toMatchObject({ code: 0, out: pkg.version });
  const marked = await h.cli('mark-good', '--version', 'v9.9.9-rc.1', '--as', SRE);
  expect(marked.err).toContain('v9.9.9-rc.1');
});

it('status, list and export -o json use the documented field names', async () => {
  const status = await h.cli('status', incidentId, '-o', 'json');
  expect(status.code).toBe(0);
  const s = JSON.parse(status.out);
  expect(Object.keys(s)).toEqual(['incident', 'steps', 'timeline']);
  expect(s.incident).toMatchObject({
    id: incidentId,
    state: 'open',
    badVersion: 'v1.2.3',
    severity: 'P1',
    autopilot: false,
  });
  expect(Object.keys(s.incident)).toEqual([
    'id',
    'environment',
    'state',
    'badVersion',
    'targetVersion',
    'severity',
    'trigger',
    'critical',
    'autopilot',
    'drill',
    'issueUrl',
    'createdBy',
    'createdAt',
    'impactStartedAt',
    'detectedAt',
    'decidedAt',
    'restoredAt',
    'resolvedAt',
  ]);
  expect(s.steps[0]).toMatchObject({ id: 'announce' });
  expect(Object.keys(s.steps[0])).toEqual([
    'id',
    'state',
    'attempt',
    'summary',
    'error',
    'startedAt',
    'finishedAt',
    'actor',
  ]);
  expect(s.timeline[0]).toMatchObject({ kind: 'incident_started', actor: SRE });
  expect(Object.keys(s.timeline[0])).toEqual(['id', 'at', 'actor', 'kind', 'step', 'payload']);

  const list = JSON.parse((await h.cli('list', '-o', 'json')).out);
  expect(list).toEqual([s.incident]);

  const exported = JSON.parse((await h.cli('export', incidentId, '-o', 'json')).out);
  expect(exported.incident).toEqual(s.incident);
  expect(exported.markdown).toBe((await h.cli('export', incidentId)).out);

  const bad = await h.cli('list', '-o', 'yaml');
  expect(bad.code).not.toBe(0);
  expect(bad.err).toContain('Allowed choices are text, json');
});

it('doctor -o json reports every check, and --only runs just the groups asked for', async () => {
  const doctor = await h.cli('doctor', '-o', 'json');
  expect(doctor.code).toBe(1);
  const d = JSON.parse(doctor.out);
  expect(d.ok).toBe(false);
  expect(d.checks).toContainEqual({
    name: 'github',
    group: 'github',
    status: 'fail',
    detail: expect.stringContaining('GITHUB_TOKEN is not set'),
  });
  expect(d.checks).toContainEqual({ name: 'bot redis', group: 'redis', status: 'ok', detail: 'PING → PONG' });
  expect(new Set(d.checks.map((c: { group: string }) => c.group))).toEqual(
    new Set(['db', 'redis', 'kube', 'github', 'slack']),
  );

  const only = await h.cli('doctor', '--only', 'db,redis');
  expect(only.code).toBe(0);
  expect(only.out).toContain('bot database');
  expect(only.out).toContain('bot redis: PING → PONG');
  expect(only.out).not.toMatch(/slack|github|kubernetes|deployment /);

  const wrong = await h.cli('doctor', '--only', 'db,k8s');
  expect(wrong.code).not.toBe(0);
  expect(wrong.err).toContain('unknown check group k8s: use some of db,redis,kube,github,slack');
});

it("has examples in every command's --help, and the step ids where a step is named", async () => {
  const top = await h.cli('--help');
  const commands = [...top.out.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  expect(commands).toContain('completion');
  for (const command of commands) {
    const help = await h.cli(command, '--help');
    expect(help.out, command).toContain(`Examples:\n  $ rollback-commander ${command}`);
  }
  for (const command of ['run', 'approve', 'confirm', 'skip', 'abort']) {
    expect((await h.cli(command, '--help')).out).toContain(`Steps (in runbook order):\n  ${STEP_IDS.join('\n  ')}`);
  }
});

it('completion bash completes commands and step ids in a real bash', async () => {
  const script = (await h.cli('completion', 'bash')).out;
  const complete = (...words: string[]) =>
    execFileSync(
      'bash',
      [
        '-c',
        `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_rollback_commander; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
  expect(complete('rollback-commander', 'sta')).toEqual(['start', 'status']);
  expect(complete('rollback-commander', 'run', 'rb-1', 're')).toEqual(['revert_images', 'resume_deploys', 'resolve']);
  expect(complete('rollback-commander', 'approve', 'rb-1', '')).toEqual([...STEP_IDS]);

  const zsh = await h.cli('completion', 'zsh');
  expect(zsh.out).toContain('compdef _rollback_commander rollback-commander');
  expect(zsh.out).toContain(STEP_IDS.join(' '));
  expect((await h.cli('completion', 'fish')).err).toBe('error: no completion for "fish": use one of bash, zsh');
});

it('list, status and export read only the database: no Kubernetes, GitHub or Slack settings needed', async () => {
  const kubeconfig = h.env.KUBECONFIG;
  h.env.KUBECONFIG = '/nonexistent/kubeconfig';
  try {
    expect(h.env.SLACK_BOT_TOKEN).toBeUndefined();
    const list = await h.cli('list');
    expect(list).toMatchObject({ code: 0, err: '' });
    expect(list.out).toContain(incidentId);
    expect(await h.cli('status', incidentId)).toMatchObject({ code: 0, err: '' });
    expect(await h.cli('export', incidentId, '-o', 'json')).toMatchObject({ code: 0, err: '' });
    // A command that acts on the cluster still says what is wrong with the kubeconfig.
    const run = await h.cli('run', incidentId, 'revert_images', '--no-wait', '--as', SRE);
    expect(run.code).toBe(1);
    expect(run.err).toContain('cannot load the kubeconfig (/nonexistent/kubeconfig)');
  } finally {
    h.env.KUBECONFIG = kubeconfig;
  }
});

it('doctor reports every check when the kube context is wrong, instead of stopping at the first', async () => {
  const configPath = `${h.configPath}.wrong-context.yml`;
  writeFileSync(configPath, readFileSync(h.configPath, 'utf8').replace('context: fake', 'context: nowhere'));
  const doctor = await h.cli('--config', configPath, 'doctor');
  expect(doctor.code).toBe(1);
  expect(doctor.out).toMatch(/^ok {4}bot database: PostgreSQL \d+/m);
  expect(doctor.out).toContain('ok    bot redis: PING → PONG');
  expect(doctor.out).toContain('FAIL  kubernetes access: kube context "nowhere" is not in the kubeconfig');
  expect(doctor.out).toContain('FAIL  deployment api: kube context "nowhere" is not in the kubeconfig');
  expect(doctor.out).toContain('FAIL  github: GITHUB_TOKEN is not set');
  expect(doctor.out).toMatch(/ok {4}app redis \(backlog\)/);
});

/** The modules a fresh process loads for one command (module.registerHooks sees every resolution). */
function modulesLoadedBy(args: string[], env: NodeJS.ProcessEnv): string[] {
  const cli = new URL('../../src/app/cli.ts', import.meta.url).href;
  const script = `import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({ resolve(s, c, next) { const r = next(s, c); seen.add(r.url); return r; } });
const { runCli } = await import(${JSON.stringify(cli)});
await runCli(${JSON.stringify(args)}, { env: process.env, out() {}, err() {} });
process.stdout.write(JSON.stringify([...seen]));
process.exit(0);`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' }),
  ) as string[];
}

const HEAVY = ['/@kubernetes/', '/bullmq/', '/@slack/', '/@octokit/', '/ioredis/', '/date-fns/index'];

it('--help and status load none of the clients they do not use (start-up time)', async () => {
  const help = modulesLoadedBy(['--help'], { PATH: process.env.PATH });
  expect(help.filter((url) => HEAVY.some((m) => url.includes(m)) || url.includes('/pg/'))).toEqual([]);
  const status = modulesLoadedBy(['status', incidentId], h.env);
  expect(status.some((url) => url.includes('/pg/'))).toBe(true);
  expect(status.filter((url) => HEAVY.some((m) => url.includes(m)))).toEqual([]);
});
