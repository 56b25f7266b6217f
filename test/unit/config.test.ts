/** Config: a bad file stops start-up naming each bad key and how to fix it; secrets never print. */

import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseRunbookConfig } from '../../src/app/config.ts';
import { testConfigYaml } from '../support/runbook-config.ts';

async function configFile(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'rc-config-')), 'rollback.yml');
  await writeFile(path, text);
  return path;
}

const ENV = { DATABASE_URL: 'postgres://bot:s3cretpw@db.internal:5432/rc', REDIS_URL: 'redis://:redispw@cache:6379/0' };

describe('loadConfig', () => {
  it('reads the example config with the runbook defaults', () => {
    const config = parseRunbookConfig(readFileSync('rollback.example.yml', 'utf8'), 'rollback.example.yml');
    expect(config.deployments.map((d) => `${d.name}=${d.image}`)).toEqual([
      'api=ghcr.io/valuecanvas/app',
      'web=ghcr.io/valuecanvas/web',
      'worker=ghcr.io/valuecanvas/worker',
    ]);
    expect(config.rollout.timeout).toBe(300_000);
    expect(config.sla).toEqual({ P1: { decide: 600_000, restore: 1_800_000 }, P2: { restore: 7_200_000 } });
    expect(config.target.backlog_key).toBe('agent:pending');
    expect(config.github.deploy_workflows).toEqual(['deploy.yml']);
  });

  it('reads autopilot: on for every step unless turned off, per step or all at once, and names a bad step', () => {
    const all = (v: boolean) =>
      Object.fromEntries(
        [
          'pause_deploys',
          'revert_images',
          'verify_cutover',
          'migration_scope',
          'smoke_tests',
          'queue_health',
          'auth_check',
          'resume_deploys',
          'resolve',
        ].map((id) => [id, v]),
      );
    const bare = testConfigYaml().replace(/^autopilot: false$/m, '');
    expect(parseRunbookConfig(bare, 'rollback.yml').autopilot).toEqual(all(true));
    expect(parseRunbookConfig(readFileSync('rollback.example.yml', 'utf8'), 'rollback.example.yml').autopilot).toEqual(
      all(true),
    );
    expect(parseRunbookConfig(testConfigYaml('autopilot: false'), 'rollback.yml').autopilot).toEqual(all(false));
    expect(parseRunbookConfig(testConfigYaml('autopilot: { revert_images: false }'), 'rollback.yml').autopilot).toEqual(
      { ...all(true), revert_images: false },
    );
    expect(() => parseRunbookConfig(testConfigYaml('autopilot: { revert: false }'), 'rollback.yml')).toThrow(
      /`autopilot`: revert is not a step autopilot starts: use pause_deploys, revert_images, verify_cutover/,
    );
  });

  it('names every bad key with its path and a fix', () => {
    const bad = testConfigYaml(`
deployments: [{ name: API, container: api, image: ghcr.io/valuecanvas/app }]
rollout: { timeout: soon }
slack: { channels: { incidents: incidents, releases: C0RELEASES } }
`);
    expect(() => parseRunbookConfig(bad, 'rollback.yml')).toThrowError(
      /rollback.yml `deployments\[0\].name`: a Kubernetes name is lower-case[\s\S]*`rollout.timeout`: "soon" is not a duration: write it like 30s, 5m or 2h[\s\S]*`slack.channels.incidents`: a Slack channel id looks like C012ABCDEF/,
    );
  });

  it('compiles github.tag_pattern at load and names the key and the fix', () => {
    const bad = testConfigYaml("github: { owner: o, repo: r, deploy_workflows: [deploy.yml], tag_pattern: '^v(\\d+' }");
    expect(() => parseRunbookConfig(bad, 'rollback.yml')).toThrowError(
      /rollback\.yml `github\.tag_pattern`: "\^v\(\\d\+" is not a valid regular expression \(Invalid regular expression: .*\): write one like '\^v\\d\+/,
    );
  });

  it('rejects unknown keys (a typo must not be silently ignored) and suggests the known key', () => {
    expect(() => parseRunbookConfig(testConfigYaml('rollout: { timout: 5m }'), 'rollback.yml')).toThrow(
      /rollback.yml `rollout.timout`: unknown key in `rollout`: did you mean `timeout`\? \(line \d+\)/,
    );
    // Nothing close: no guess.
    expect(() => parseRunbookConfig(testConfigYaml('rollout: { zzzzzzz: 5m }'), 'rollback.yml')).toThrow(
      /`rollout.zzzzzzz`: unknown key in `rollout` \(line \d+\)$/m,
    );
  });

  it('reports every problem at once, YAML and env together, with the YAML line of each key', async () => {
    const text = `${testConfigYaml('queue: { atempts: 3 }\nrollout: { timeout: soon }')}rolout: { timeout: 5m }\n`;
    const lineOf = (start: string) => text.split('\n').findIndex((l) => l.startsWith(start)) + 1;
    const path = await configFile(text);
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x', REDIS_URL: 'http://cache' }, path);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^the configuration is invalid — fix these/);
    expect(message).toContain(`${path} \`rolout\`: unknown key: did you mean \`rollout\`? (line ${lineOf('rolout')})`);
    expect(message).toContain(
      `${path} \`queue.atempts\`: unknown key in \`queue\`: did you mean \`attempts\`? (line ${lineOf('  atempts:')})`,
    );
    expect(message).toContain(
      `${path} \`rollout.timeout\`: "soon" is not a duration: write it like 30s, 5m or 2h (line ${lineOf('  timeout: soon')})`,
    );
    expect(message).toContain('env `DATABASE_URL`: must be a postgres:// connection string');
    expect(message).toContain('env `REDIS_URL`: must be a redis://');
    expect(message).not.toContain('hunter2');
  });

  it('gives the line of a YAML syntax error, and still lists the env problems', async () => {
    const path = await configFile('environment:\n  name: production\ndeployments: [api\nrollout: 5m\n');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' }, path)).toThrow(
      / line [34]: not valid YAML[\s\S]*env `DATABASE_URL`: must be a postgres/,
    );
  });

  it('refuses SLACK_APP_TOKEN without SLACK_BOT_TOKEN instead of running with Slack silently off', async () => {
    const path = await configFile(testConfigYaml());
    expect(() => loadConfig({ ...ENV, SLACK_APP_TOKEN: 'xapp-1-secret' }, path)).toThrow(
      /env `SLACK_BOT_TOKEN`: SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not/,
    );
    expect(loadConfig({ ...ENV, SLACK_APP_TOKEN: 'xapp-1', SLACK_BOT_TOKEN: 'xoxb-1' }, path).env.SLACK_APP_TOKEN).toBe(
      'xapp-1',
    );
  });

  it('reads STARTUP_TIMEOUT as a duration (default 60s) and names a bad one', async () => {
    const path = await configFile(testConfigYaml());
    expect(loadConfig(ENV, path).env.STARTUP_TIMEOUT).toBe(60_000);
    expect(loadConfig({ ...ENV, STARTUP_TIMEOUT: '2m' }, path).env.STARTUP_TIMEOUT).toBe(120_000);
    expect(() => loadConfig({ ...ENV, STARTUP_TIMEOUT: 'never' }, path)).toThrow(
      /env `STARTUP_TIMEOUT`: .*is not a duration/,
    );
  });

  it('takes a strong CONSOLE_TOKEN and refuses a weak one without printing it', async () => {
    const path = await configFile(testConfigYaml());
    const strong = 'f'.repeat(64);
    expect(loadConfig({ ...ENV, CONSOLE_TOKEN: strong }, path).env.CONSOLE_TOKEN).toBe(strong);
    expect(loadConfig(ENV, path).env.CONSOLE_TOKEN).toBeUndefined();
    let message = '';
    try {
      loadConfig({ ...ENV, CONSOLE_TOKEN: 'hunter2' }, path);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(
      /env `CONSOLE_TOKEN`: at least 24 printable characters, no spaces: generate one with `openssl rand -hex 32`/,
    );
    expect(message).not.toContain('hunter2');
  });

  it('says how to get a config when the file is missing', () => {
    expect(() => loadConfig(ENV, '/nonexistent/rollback.yml')).toThrow(
      /cannot read the runbook config \/nonexistent\/rollback.yml \(ENOENT\): copy rollback.example.yml to rollback.yml/,
    );
  });

  it('never prints an env secret, only the variable name', async () => {
    const path = await configFile(testConfigYaml());
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x', SLACK_BOT_TOKEN: 'xoxp-hunter2' }, path);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('env `DATABASE_URL`: must be a postgres:// connection string');
    expect(message).toContain('env `SLACK_BOT_TOKEN`: a bot token starts with xoxb-');
    expect(message).not.toContain('hunter2');
  });

  it('defaults the schema and queue prefix to names that include the environment', async () => {
    const path = await configFile(testConfigYaml('environment: { name: eu-prod, kube: { namespace: prod } }'));
    expect(loadConfig(ENV, path).env).toMatchObject({
      DATABASE_SCHEMA: 'rollback_commander_eu_prod',
      QUEUE_PREFIX: 'rc-eu-prod',
    });
    expect(loadConfig({ ...ENV, DATABASE_SCHEMA: 'rc_mine', QUEUE_PREFIX: 'mine' }, path).env).toMatchObject({
      DATABASE_SCHEMA: 'rc_mine',
      QUEUE_PREFIX: 'mine',
    });
  });

  it("refuses a target that is the bot's own database or Redis", async () => {
    const path = await configFile(testConfigYaml());
    expect(() => loadConfig({ ...ENV, TARGET_DATABASE_URL: 'postgres://app:other@db.internal:5432/rc' }, path)).toThrow(
      /TARGET_DATABASE_URL points at the bot's own DATABASE_URL/,
    );
    expect(() => loadConfig({ ...ENV, TARGET_REDIS_URL: 'redis://cache:6379' }, path)).toThrow(
      /TARGET_REDIS_URL points at the bot's own REDIS_URL/,
    );
    expect(loadConfig({ ...ENV, TARGET_REDIS_URL: 'redis://cache:6379/3' }, path).target.redisUrl).toBe(
      'redis://cache:6379/3',
    );
  });
});

describe('start-up against a database that is down', () => {
  it('names DATABASE_URL and never prints its password', async () => {
    const { createContainer } = await import('../../src/app/container.ts');
    const { createLogger } = await import('../../src/app/logger.ts');
    const path = await configFile(testConfigYaml());
    const kubeconfig = join(await mkdtemp(join(tmpdir(), 'rc-kc-')), 'kubeconfig');
    await writeFile(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:1", insecure-skip-tls-verify: true}}]\ncontexts: [{name: fake, context: {cluster: c, user: u}}]\ncurrent-context: fake\nusers: [{name: u, user: {token: t}}]\n',
    );
    const config = loadConfig({ DATABASE_URL: 'postgres://bot:hunter2@127.0.0.1:1/rc', KUBECONFIG: kubeconfig }, path);
    const err = await createContainer(config, { log: createLogger('silent') }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      /^cannot use the bot's database \(DATABASE_URL, schema rollback_commander_production\): .*ECONNREFUSED.* — is PostgreSQL running and DATABASE_URL right\?$/,
    );
    expect(err?.message).not.toContain('hunter2');
  });
});
