/**
 * What an SRE reads mid-incident when GitHub says no: which permission is missing, which config
 * key names the missing thing, whether a retry can help — and never the token itself.
 */
import { inspect } from 'node:util';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import { API, OWNER, REPO, TOKEN } from '../fixtures/github/github-api.ts';
import { useNockedGitHub } from '../fixtures/github/nock-github.ts';

const REPO_PATH = `/repos/${OWNER}/${REPO}`;
const DISABLE = `${REPO_PATH}/actions/workflows/deploy.yml/disable`;
const gh = useNockedGitHub();

async function failure(promise: Promise<unknown>): Promise<Error & { code: string; transient: boolean }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected the call to fail');
  // The token must not leak anywhere a logger could reach: message, cause chain, request copies.
  expect(inspect(err, { depth: 20 })).not.toContain(TOKEN);
  return err as Error & { code: string; transient: boolean };
}

describe('GitHub error mapping', () => {
  it('401: says the token is missing, expired or revoked and how to replace it', async () => {
    gh.api.put(DISABLE).reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const err = await failure(gh.github.disableWorkflow('deploy.yml'));
    expect(err).toMatchObject({ name: 'UserFacingError', code: 'upstream_auth', transient: false });
    expect(err.message).toMatch(
      /^while disabling workflow deploy\.yml in acme\/shop: GitHub rejected GITHUB_TOKEN \(401\): it is missing, expired or revoked — create a new token/,
    );
    expect(err.message).toContain('classic token: the repo and workflow scopes');
  });

  it('403: names the permission GitHub says it needs (X-Accepted-GitHub-Permissions)', async () => {
    gh.api
      .put(DISABLE)
      .reply(
        403,
        { message: 'Resource not accessible by personal access token' },
        { 'x-accepted-github-permissions': 'actions=write' },
      );
    const err = await failure(gh.github.disableWorkflow('deploy.yml'));
    expect(err).toMatchObject({ name: 'UserFacingError', code: 'forbidden', transient: false });
    expect(err.message).toBe(
      'while disabling workflow deploy.yml in acme/shop: GitHub refused (403): the token lacks actions=write — fine-grained token: grant "Actions: Read and write" on the repository; classic token: it needs the repo and workflow scopes',
    );
  });

  it('403 without the header: names the permission the call needs', async () => {
    gh.api
      .post('/repos/acme/incidents/issues/3/comments')
      .reply(403, { message: 'Must have admin rights to Repository.' });
    const err = await failure(gh.github.commentOnIssue('https://github.com/acme/incidents/issues/3', 'TTR 20m'));
    expect(err.message).toContain('the token lacks issues=write');
    expect(err.message).toContain('"Issues: Read and write"');
  });

  it('403 with alternative permission sets lists them as alternatives', async () => {
    gh.api
      .get(`${REPO_PATH}/releases`)
      .query(true)
      .reply(403, { message: 'Forbidden' }, { 'x-accepted-github-permissions': 'contents=read; pull_requests=read' });
    const err = await failure(gh.github.listReleaseTags());
    expect(err.message).toContain('the token lacks contents=read or pull_requests=read');
  });

  it('403 from SAML SSO: says to authorize the token for the organization', async () => {
    gh.api
      .put(DISABLE)
      .reply(
        403,
        { message: 'Resource protected by organization SAML enforcement.' },
        { 'x-github-sso': 'required; url=https://github.com/orgs/acme/sso?authorization_request=abc' },
      );
    const err = await failure(gh.github.disableWorkflow('deploy.yml'));
    expect(err.message).toContain('authorize it at https://github.com/orgs/acme/sso?authorization_request=abc');
  });

  it.each([
    [
      'secondary rate limit',
      { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
      { 'retry-after': '60' },
    ],
    [
      'primary rate limit',
      { message: 'API rate limit exceeded for user ID 1.' },
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1893456000' },
    ],
  ])('403 %s is transient, not a permission problem', async (_name, body, headers) => {
    gh.api.put(DISABLE).reply(403, body, headers);
    const err = await failure(gh.github.disableWorkflow('deploy.yml'));
    expect(err).toMatchObject({ code: 'upstream_unavailable', transient: true });
    expect(err.message).toContain('rate limit');
  });

  it('404 on a workflow: names it and the config key to fix', async () => {
    gh.api.get(`${REPO_PATH}/actions/workflows/deploy.yml`).reply(404, { message: 'Not Found' });
    const err = await failure(gh.github.getWorkflow('deploy.yml'));
    expect(err).toMatchObject({ name: 'UserFacingError', code: 'not_found', transient: false });
    expect(err.message).toContain('no workflow "deploy.yml" in acme/shop');
    expect(err.message).toContain('github.deploy_workflows in rollback.yml');
  });

  it('404 on the repository: names owner/repo and the config keys', async () => {
    gh.api.get(`${REPO_PATH}/releases`).query(true).reply(404, { message: 'Not Found' });
    const err = await failure(gh.github.listReleaseTags());
    expect(err.message).toContain('repository acme/shop does not exist or the token cannot see it');
    expect(err.message).toContain('github.owner and github.repo in rollback.yml');
  });

  it("422: passes GitHub's reason on, with the token scrubbed even if GitHub echoes it", async () => {
    gh.api
      .post(`${REPO_PATH}/actions/workflows/smoke.yml/dispatches`)
      .reply(422, { message: `No ref found for: nope (token ${TOKEN})` });
    const err = await failure(gh.github.dispatchWorkflow('smoke.yml', 'nope', {}));
    expect(err).toMatchObject({ code: 'invalid_input', transient: false });
    expect(err.message).toContain('No ref found for: nope (token [redacted])');
  });

  it.each([500, 502, 503, 429])('%i is transient so BullMQ retries the step', async (status) => {
    gh.api.get(`${REPO_PATH}/actions/runs/7`).reply(status, { message: 'Server Error' });
    const err = await failure(gh.github.getRun(7));
    expect(err).toMatchObject({ name: 'UserFacingError', code: 'upstream_unavailable', transient: true });
    expect(err.message).toMatch(/^while reading run 7 in acme\/shop: GitHub/);
  });

  it('a network failure is transient and says GitHub was unreachable', async () => {
    gh.api.get(`${REPO_PATH}/actions/runs/7`).replyWithError('socket hang up'); // nock 15 hangs fetch on the object form
    const err = await failure(gh.github.getRun(7));
    expect(err).toMatchObject({ code: 'upstream_unavailable', transient: true });
    expect(err.message).toContain('could not reach GitHub (socket hang up)');
  });
});

describe('bounded retries inside one call', () => {
  const withRetries = () => createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 1 });

  it('retries a 5xx once and then gives up with a transient error', async () => {
    nock(API).get(`${REPO_PATH}/actions/runs/7`).times(2).reply(502, { message: 'Bad Gateway' });
    const err = await failure(withRetries().getRun(7));
    expect(err).toMatchObject({ transient: true });
  });

  it('does not retry what a retry cannot fix (401) or what is an answer (409)', async () => {
    nock(API).get(`${REPO_PATH}/actions/runs/7`).once().reply(401, { message: 'Bad credentials' });
    nock(API)
      .post(`${REPO_PATH}/actions/runs/8/cancel`)
      .once()
      .reply(409, { message: 'Cannot cancel a workflow run that is completed.' });
    const github = withRetries();
    await expect(github.getRun(7)).rejects.toMatchObject({ code: 'upstream_auth' });
    await expect(github.cancelRun(8)).resolves.toBe('already_finished');
  });

  it('sends independent writes at once instead of spacing them 1 s apart', async () => {
    // The throttler's default starts one write per second (three take 2 s to start); ours starts
    // them together, so all three are in before the first is answered.
    const arrivals: number[] = [];
    let arrived = 0;
    let allIn = () => {};
    const barrier = new Promise<void>((resolve) => (allIn = resolve));
    nock(API)
      .post(/\/actions\/runs\/\d+\/cancel$/)
      .times(3)
      .reply(async () => {
        arrived += 1;
        arrivals.push(Date.now());
        if (arrived === 3) allIn();
        await barrier;
        return [202, {}];
      });
    const github = withRetries();
    await expect(Promise.all([github.cancelRun(1), github.cancelRun(2), github.cancelRun(3)])).resolves.toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeLessThan(1000);
  });

  it('still honours a short secondary rate limit on a write: waits Retry-After, then sends it again', async () => {
    nock(API)
      .post(`${REPO_PATH}/actions/runs/9/cancel`)
      .once()
      .reply(403, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': '1' });
    nock(API).post(`${REPO_PATH}/actions/runs/9/cancel`).once().reply(202, {});
    await expect(withRetries().cancelRun(9)).resolves.toBe('cancelled');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('does not sit out a long secondary rate limit inside the call', async () => {
    nock(API)
      .get(`${REPO_PATH}/actions/runs/7`)
      .once()
      .reply(403, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': '60' });
    const err = await failure(withRetries().getRun(7));
    expect(err).toMatchObject({ code: 'upstream_unavailable', transient: true });
  });
});
