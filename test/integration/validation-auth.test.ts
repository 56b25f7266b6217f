/**
 * auth_check against a local HTTP server that behaves like an RLS-protected API: anonymous gets
 * 401, the test user's token gets 200. Header values come from env vars named in the config and
 * never appear in the output or an error; with no probes, a person confirms with the doc link.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthCheck } from '../../src/flows/steps/auth_check/index.ts';
import { testConfig } from '../support/runbook-config.ts';
import { failureOf, testContext } from '../support/step-context.ts';

const USER_TOKEN = 'Bearer eyJ-test-user-secret-token';
const ENV = { AUTH_USER_BEARER: USER_TOKEN, AUTH_APIKEY: 'anon-key-secret' };
const DOCS = 'https://github.com/ValueCanvas/ValueCanvas/blob/main';
let server: Server;
let base: string;
const seen: { path: string; authorization: string | undefined; apikey: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({
      path: req.url ?? '',
      authorization: req.headers.authorization,
      apikey: req.headers.apikey as string | undefined,
    });
    if (req.url === '/slow') return; // never answers
    if (req.url === '/login') return void res.writeHead(302, { location: '/sso' }).end();
    const ok = req.headers.authorization === USER_TOKEN;
    res
      .writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
      .end(ok ? '[{"id":1}]' : '{"message":"JWT required"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

function config(probes: string, extra = '') {
  return testConfig(`validation: { auth: { timeout: 2s, probes: [${probes}]${extra} } }`);
}

const anonymous = () =>
  `{ name: anonymous is refused, url: "${base}/rest/v1/orgs", headers: { apikey: AUTH_APIKEY }, expected_status: 401 }`;
const testUser = (expected = 200) =>
  `{ name: test user reads orgs, method: GET, url: "${base}/rest/v1/orgs", headers: { apikey: AUTH_APIKEY, Authorization: AUTH_USER_BEARER }, expected_status: ${expected} }`;

describe('auth probes', () => {
  it('passes when every probe gets its expected status, sending headers from env but never showing them', async () => {
    const outcome = await createAuthCheck({ env: ENV, docBaseUrl: DOCS }).run(
      testContext('auth_check', config(`${anonymous()}, ${testUser()}`)),
    );
    expect(outcome.outcome).toBe('succeeded');
    expect(outcome.summary).toBe(
      `All 2 auth probes answered as expected: anonymous is refused (GET ${base}/rest/v1/orgs) → 401; test user reads orgs (GET ${base}/rest/v1/orgs) → 200`,
    );
    expect(seen).toEqual([
      { path: '/rest/v1/orgs', authorization: undefined, apikey: 'anon-key-secret' },
      { path: '/rest/v1/orgs', authorization: USER_TOKEN, apikey: 'anon-key-secret' },
    ]);
    expect((outcome.output!.probes as { headers: string[] }[])[1]!.headers).toEqual(['apikey', 'Authorization']);
    expect(JSON.stringify(outcome)).not.toMatch(/secret/);
  });

  it('fails naming each probe that got the wrong answer, with the troubleshooting doc, and no secret', async () => {
    const probes = `${testUser(403)}, { name: sso page, url: "${base}/login", expected_status: 200 }, { name: slow, url: "${base}/slow", expected_status: 200 }`;
    const err = await failureOf(
      createAuthCheck({ env: ENV, docBaseUrl: DOCS }).run(testContext('auth_check', config(probes))),
    );
    expect(err.message).toBe(
      `3 of 3 auth probes failed: test user reads orgs (GET ${base}/rest/v1/orgs) → 200, expected 403; sso page (GET ${base}/login) → 302, expected 200; ` +
        `slow (GET ${base}/slow) → no answer within 2 seconds, expected 200. Follow ${DOCS}/docs/ops/troubleshooting/rls-failures.md, then Retry — or Skip with a reason`,
    );
    expect(err.message).not.toMatch(/secret/);
  });

  it('refuses to run a probe whose header variable is not set, naming the variable only', async () => {
    const err = await failureOf(
      createAuthCheck({ env: { AUTH_APIKEY: 'anon-key-secret' }, docBaseUrl: DOCS }).run(
        testContext('auth_check', config(testUser())),
      ),
    );
    expect(err.message).toBe(
      'auth probe "test user reads orgs" sends Authorization from AUTH_USER_BEARER, but AUTH_USER_BEARER is not set in the bot\'s environment: set it, or change validation.auth.probes in rollback.yml',
    );
    expect(seen).toEqual([]);
  });

  it('reports a refused connection as the probe failing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/health`;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failureOf(
      createAuthCheck({ env: ENV, docBaseUrl: DOCS }).run(
        testContext('auth_check', config(`{ name: down, url: "${url}", expected_status: 200 }`)),
      ),
    );
    expect(err.message).toContain(`down (GET ${url}) → ECONNREFUSED, expected 200`);
  });
});

describe('without probes', () => {
  it('asks a person to validate with the troubleshooting doc linked on the default branch', async () => {
    const outcome = await createAuthCheck({ env: ENV, docBaseUrl: DOCS }).run(testContext('auth_check', testConfig()));
    expect(outcome).toMatchObject({
      outcome: 'awaiting_confirmation',
      summary: `No auth probes configured: validate the RLS/auth flows by hand with ${DOCS}/docs/ops/troubleshooting/rls-failures.md, then press Confirm`,
    });
  });

  it('keeps a doc that is already a URL as it is', async () => {
    const outcome = await createAuthCheck({ env: ENV, docBaseUrl: DOCS }).run(
      testContext('auth_check', config('', ', troubleshooting_doc: "https://wiki.example.com/rls"')),
    );
    expect(outcome.summary).toContain('by hand with https://wiki.example.com/rls, then');
  });
});
