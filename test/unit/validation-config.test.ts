/** The `validation:` section: the example parses (its commented alternatives too), defaults hold, mistakes name the key. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRunbookConfig } from '../../src/app/config.ts';
import { testConfig, testConfigYaml } from '../support/runbook-config.ts';

const EXAMPLE = readFileSync('rollback.example.yml', 'utf8');

describe('validation config', () => {
  it('reads the example: the smoke workflow with its inputs, the queue threshold and window, the troubleshooting doc', () => {
    const { validation } = parseRunbookConfig(EXAMPLE, 'rollback.example.yml');
    expect(validation.smoke).toMatchObject({
      workflow: 'smoke.yml',
      inputs: { env: 'production' },
      timeout: 1_800_000,
      poll_interval: 15_000,
      discovery_timeout: 120_000,
    });
    expect(validation.queue_health).toEqual({ threshold: 1000, window: 60_000, interval: 10_000 });
    expect(validation.auth).toEqual({
      probes: [],
      timeout: 10_000,
      troubleshooting_doc: 'docs/ops/troubleshooting/rls-failures.md',
    });
  });

  it("the example's commented probes are valid once uncommented", () => {
    const start = EXAMPLE.indexOf('    # probes:');
    const block = EXAMPLE.slice(start, EXAMPLE.indexOf('\n\n', start));
    const { validation } = parseRunbookConfig(
      EXAMPLE.replace(block, block.replace(/^ {4}# /gm, '    ')),
      'rollback.example.yml',
    );
    expect(validation.auth.probes).toEqual([
      {
        name: 'anonymous is refused',
        method: 'GET',
        url: 'https://api.example.com/rest/v1/orgs?select=id',
        headers: { apikey: 'SUPABASE_ANON_KEY' },
        expected_status: 401,
      },
      {
        name: 'test user reads its orgs',
        method: 'GET',
        url: 'https://api.example.com/rest/v1/orgs?select=id',
        headers: { apikey: 'SUPABASE_ANON_KEY', Authorization: 'AUTH_CHECK_USER_BEARER' },
        expected_status: 200,
      },
    ]);
  });

  it('defaults to manual validation when the section is absent', () => {
    const { validation } = testConfig();
    expect(validation.smoke.workflow).toBeUndefined();
    expect(validation.smoke.command).toBeUndefined();
    expect(validation.auth.probes).toEqual([]);
  });

  it('names the key for a workflow and a command together, a header value instead of a variable name, and a bad status', () => {
    const bad = testConfigYaml(`
validation:
  smoke: { workflow: smoke.yml, command: [npm, run, test:smoke] }
  auth: { probes: [{ name: user, url: "https://api.example.com", headers: { Authorization: "Bearer abc" }, expected_status: 2000 }] }
`);
    expect(() => parseRunbookConfig(bad, 'rollback.yml')).toThrow(
      /`validation.smoke`: set either workflow or command, not both[\s\S]*`validation.auth.probes\[0\].headers.Authorization`: an environment variable name[\s\S]*`validation.auth.probes\[0\].expected_status`/,
    );
  });
});
