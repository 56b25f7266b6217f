import { readFileSync } from 'node:fs';
import type { AppsManifestCreateArguments } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROLLBACK_USAGE_HINT } from '../../src/adapters/slack/command-parser.ts';

type Manifest = AppsManifestCreateArguments['manifest'];

/** Typed against @slack/web-api's manifest type: a misspelt scope or key here fails tsc. */
function defineManifest(manifest: Manifest): Manifest {
  return manifest;
}

const EXPECTED = defineManifest({
  display_information: {
    name: 'Rollback Commander',
    description: 'Runs the production rollback runbook from Slack — approved, audited, timed.',
    background_color: '#8c1d18',
  },
  features: {
    bot_user: { display_name: 'rollback-commander', always_online: true },
    slash_commands: [
      {
        command: '/rollback',
        description: 'Roll back a bad release, or show the open rollbacks',
        usage_hint: ROLLBACK_USAGE_HINT,
        should_escape: false,
      },
    ],
  },
  oauth_config: { scopes: { bot: ['commands', 'chat:write', 'chat:write.public', 'usergroups:read'] } },
  settings: {
    interactivity: { is_enabled: true },
    org_deploy_enabled: false,
    socket_mode_enabled: true,
    token_rotation_enabled: false,
  },
});

const manifest: unknown = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8'));

describe('manifest.yml', () => {
  it('is exactly the typed manifest: bot user, /rollback with its usage hint, interactivity, Socket Mode', () => {
    expect(manifest).toEqual(EXPECTED);
  });

  it('asks for the scopes the bot uses and no more', () => {
    const scopes = (manifest as Manifest).oauth_config?.scopes?.bot ?? [];
    expect([...scopes].sort()).toEqual(['chat:write', 'chat:write.public', 'commands', 'usergroups:read']);
    expect((manifest as Manifest).oauth_config?.scopes?.user).toBeUndefined();
  });

  it('keeps within Slack’s manifest limits for names and the bot display name', () => {
    const m = manifest as Manifest;
    expect(m.display_information.name.length).toBeLessThanOrEqual(35);
    expect(m.display_information.description?.length ?? 0).toBeLessThanOrEqual(140);
    expect(m.features?.bot_user?.display_name).toMatch(/^[a-z0-9._-]{1,80}$/);
    expect(m.features?.slash_commands?.[0]?.command.length).toBeLessThanOrEqual(32);
  });
});
