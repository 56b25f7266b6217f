/**
 * GitHub App authentication over the wire (nock): the App's RS256 JWT finds the installation on
 * the configured repository, buys an installation token, the API call carries it, the token is
 * reused while fresh and bought again once expired; doctor names the App, its installation and
 * what it lacks. The App's key is made here, at test time.
 */
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import { githubAuthFrom } from '../../src/config/github.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { workflowBody } from '../fixtures/github/github-api.ts';

const API = 'https://api.github.com';
const APP_ID = '123456';
const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  // PKCS#1 ("BEGIN RSA PRIVATE KEY"): what GitHub hands out for an App.
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const ALL = { metadata: 'read', actions: 'write', pull_requests: 'write', contents: 'read', issues: 'write' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  vi.useRealTimers();
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

/** The App's JWT, checked as GitHub checks it: RS256 signed by the App's key, issued by the App id. */
function isAppJwt(authorization: string | null): boolean {
  const [scheme, jwt] = (authorization ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !jwt) return false;
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey(publicKey),
    Buffer.from(signature, 'base64url'),
  );
  const claims = decode(payload);
  return (
    signed && decode(header).alg === 'RS256' && String(claims.iss) === APP_ID && Number(claims.exp) > Number(claims.iat)
  );
}

function app(permissions: Record<string, string> = ALL) {
  const github = nock(API);
  github
    .get('/repos/acme/shop/installation')
    .matchHeader('authorization', isAppJwt)
    .reply(200, { id: 42, app_id: Number(APP_ID), permissions });
  return github;
}

function tokenFor(github: nock.Scope, token: string, permissions: Record<string, string> = ALL) {
  github
    .post('/app/installations/42/access_tokens')
    .matchHeader('authorization', isAppJwt)
    .reply(201, {
      token,
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      permissions,
      repository_selection: 'selected',
    });
}

const sourceControl = () =>
  createGitHubSourceControl({
    app: { appId: APP_ID, privateKey, owner: 'acme', repo: 'shop' },
    owner: 'acme',
    repo: 'shop',
    retries: 0,
  });

it('finds the installation on the repository with the JWT, calls with its token, reuses it, and buys a new one once it expired', async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  const github = app();
  tokenFor(github, 'ghs_first');
  github
    .get('/repos/acme/shop/actions/workflows/deploy.yml')
    .matchHeader('authorization', 'token ghs_first')
    .times(2)
    .reply(200, workflowBody('deploy.yml', 'active'));
  const sc = sourceControl();
  expect(await sc.getWorkflow('deploy.yml')).toMatchObject({ state: 'active' });
  expect(await sc.getWorkflow('deploy.yml')).toMatchObject({ state: 'active' });
  expect(github.pendingMocks()).toEqual([]);

  // An hour later the token has expired: @octokit/auth-app buys another; the installation is not looked up again.
  vi.setSystemTime(Date.now() + 61 * 60_000);
  tokenFor(github, 'ghs_second');
  github
    .get('/repos/acme/shop/actions/workflows/deploy.yml')
    .matchHeader('authorization', 'token ghs_second')
    .reply(200, workflowBody('deploy.yml', 'disabled_manually'));
  expect(await sc.getWorkflow('deploy.yml')).toMatchObject({ state: 'disabled_manually' });
  expect(github.pendingMocks()).toEqual([]);
});

describe('doctor', () => {
  it('names the App and its installation, and passes when every step’s permission is granted', async () => {
    const github = app();
    tokenFor(github, 'ghs_doctor');
    github.get('/repos/acme/shop').reply(200, { full_name: 'acme/shop' });
    github.get('/repos/acme/shop/actions/workflows/deploy.yml').reply(200, workflowBody('deploy.yml', 'active'));
    github.post('/graphql').reply(200, {
      data: { repository: { pullRequests: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } } } },
    });
    const checks = await sourceControl().checkAccess({ workflows: ['deploy.yml'] });
    expect(checks[0]).toEqual({
      check: 'GitHub App',
      ok: true,
      detail:
        'App 123456, installation 42 on acme/shop; granted metadata: read, actions: write, pull_requests: write, contents: read, issues: write — what every step needs',
    });
    expect(checks.every((c) => c.ok)).toBe(true);
  });

  it('says which permission the installation lacks and which step needs it', async () => {
    const lacking = { metadata: 'read', actions: 'read', pull_requests: 'write', contents: 'read' };
    tokenFor(app(lacking), 'ghs_lacking', lacking);
    const checks = await sourceControl().checkAccess({ workflows: [] });
    expect(checks).toEqual([
      {
        check: 'GitHub App',
        ok: false,
        detail:
          "App 123456, installation 42 on acme/shop lacks actions: write (pause_deploys, resume_deploys, smoke_tests); issues: write (resolve (the TTD/TTR comment)) — add them under the App's Permissions & events, then approve the new permissions on the installation",
      },
    ]);
  });

  it('says to install the App when it is not installed on the repository', async () => {
    nock(API).get('/repos/acme/shop/installation').reply(404, { message: 'Not Found' });
    const [check] = await sourceControl().checkAccess({ workflows: [] });
    expect(check).toMatchObject({ check: 'GitHub App', ok: false });
    expect(check!.detail).toContain('App 123456 is not installed on acme/shop');
  });
});

describe('configuration', () => {
  it('reads the key from GITHUB_APP_PRIVATE_KEY_FILE, or inline with \\n escapes', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'rc-app-')), 'app.pem');
    await writeFile(file, privateKey);
    expect(githubAuthFrom({ GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY_FILE: file })).toEqual({
      kind: 'app',
      appId: APP_ID,
      privateKey,
    });
    expect(
      githubAuthFrom({ GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: privateKey.replaceAll('\n', '\\n') }),
    ).toEqual({ kind: 'app', appId: APP_ID, privateKey });
    expect(githubAuthFrom({ GITHUB_TOKEN: 'ghp_x' })).toEqual({ kind: 'token', token: 'ghp_x' });
  });

  it('refuses a half or double configuration and a key that is not one, without echoing it', () => {
    const message = (env: Record<string, string>) => {
      try {
        githubAuthFrom(env);
        return 'no error';
      } catch (err) {
        return isAppError(err) ? err.message : String(err);
      }
    };
    expect(message({ GITHUB_APP_ID: APP_ID })).toContain(
      'set GITHUB_APP_PRIVATE_KEY (PEM) or GITHUB_APP_PRIVATE_KEY_FILE',
    );
    expect(message({ GITHUB_APP_PRIVATE_KEY: privateKey })).toContain('GITHUB_APP_ID is not');
    expect(message({ GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: privateKey, GITHUB_TOKEN: 'ghp_x' })).toContain(
      'use one',
    );
    const bad = message({ GITHUB_APP_ID: APP_ID, GITHUB_APP_PRIVATE_KEY: 'not-a-key-s3cr3t' });
    expect(bad).toContain('GITHUB_APP_PRIVATE_KEY is not a PEM private key');
    expect(bad).not.toContain('s3cr3t');
  });
});
