import { describe, expect, it } from 'vitest';
import { parseRunbookConfig } from '../../src/app/config.ts';
import { shouldStartDrill } from '../../src/drill/detect.ts';
import { drillConfigYaml, targetRedisUrl } from '../../src/drill/drill-config.ts';
import { drillCommand } from '../../src/drill/run.ts';

const none = () => false;

describe('shouldStartDrill', () => {
  it('starts drill mode on a fresh clone: no rollback.yml, no Slack, GitHub or Kubernetes settings', () => {
    expect(shouldStartDrill({ PATH: '/usr/bin', DATABASE_URL: 'postgres://x/y' }, [], none)).toBe(true);
  });

  it("keeps today's behaviour as soon as anything real is configured", () => {
    expect(shouldStartDrill({}, [], (p) => p === 'rollback.yml')).toBe(false);
    expect(shouldStartDrill({}, ['--config', 'prod.yml'], none)).toBe(false);
    for (const name of [
      'ROLLBACK_CONFIG',
      'SLACK_BOT_TOKEN',
      'SLACK_APP_TOKEN',
      'GITHUB_TOKEN',
      'GITHUB_APP_ID',
      'KUBECONFIG',
      'KUBERNETES_SERVICE_HOST',
    ]) {
      expect(shouldStartDrill({ [name]: 'set' }, [], none), name).toBe(false);
    }
  });
});

describe('the drill config', () => {
  it('is a valid runbook config with three roles, the database section and the roles mapped to this OS user', () => {
    const config = parseRunbookConfig(
      drillConfigYaml({
        kubeContext: 'fake',
        backupDirectory: '/tmp/b',
        restorePrefix: 'drill_restore',
        backlogKey: 'drill:agent:pending',
      }),
      'drill rollback.yml',
    );
    expect(config.environment.name).toBe('drill');
    expect(Object.values(config.roles).map((r) => r.users.length)).toEqual([1, 1, 1]);
    expect(new Set(Object.values(config.roles).map((r) => r.users[0])).size).toBe(3);
    expect(config.database?.promotion?.deployments).toEqual(['api', 'worker']);
  });

  it("puts the app's Redis on another database number than the bot's", () => {
    expect(targetRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379/1');
    expect(targetRedisUrl('redis://127.0.0.1:6379/15')).toBe('redis://127.0.0.1:6379/0');
  });
});

describe('drillCommand', () => {
  it('names the command that works from where the bot was started', () => {
    // `npm start` in a checkout: the bin is not on PATH there, the npm script is.
    expect(drillCommand({ npm_lifecycle_event: 'start' })).toBe('npm run cli -- drill');
    // The image and a global install run the bin directly.
    expect(drillCommand({})).toBe('rollback-commander drill');
  });
});
