/**
 * The web console's routes on real Postgres and a real BullMQ queue: read-only refuses actions,
 * the token is required (header or login cookie) and compared properly, POSTs need the page's own
 * origin, drill-mode clicks go through the same flows and role checks as Slack, hostile text is
 * escaped, and the live stream pushes a change without a reload.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createBullmqStepQueue } from '../../src/adapters/queue/bullmq-step-queue.ts';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import { type ConsoleOptions, createConsole, mountConsole, type WebConsole } from '../../src/console/console.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { releasesRunning } from '../support/releases.ts';
import { CAPTAIN, SRE, testConfig } from '../support/runbook-config.ts';
import { clearPrefix, createTestDb, createTestRedis, type TestDb, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

const TOKEN = 'console-test-token-0123456789abcdef';
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> & "quotes"';

let db: TestDb;
let redis: Redis;
let prefix: string;
let deps: FlowDeps;
let queue: ReturnType<typeof createBullmqStepQueue>;
const consoles: WebConsole[] = [];

beforeAll(async () => {
  db = await createTestDb();
  redis = createTestRedis();
  prefix = uniqueName('rcconsole');
  const config = testConfig();
  queue = createBullmqStepQueue({ connection: redis, prefix, attempts: 3, backoffMs: 100 });
  deps = {
    store: createPgIncidentStore(db.pool, config.environment.name),
    queue,
    roles: createConfigRoleDirectory(config.roles),
    config,
    now: () => new Date(),
    log: pino({ level: 'silent' }),
    releases: releasesRunning(config),
  };
});

afterAll(async () => {
  for (const c of consoles) c.close();
  await queue.close();
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db.drop();
});

beforeEach(async () => {
  await abortOpenIncidents(deps);
});

function web(options: Partial<ConsoleOptions>): WebConsole {
  const c = createConsole({ deps, mode: 'read-only', log: pino({ level: 'silent' }), ...options });
  consoles.push(c);
  return c;
}

async function open() {
  return startRollback(deps, { badVersion: 'v1.2.3', severity: 'P1', trigger: 'slo_breach', actor: SRE });
}

const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('read-only mode (outside a drill)', () => {
  it('is off without CONSOLE_TOKEN and says how to turn it on', async () => {
    const c = web({ mode: 'read-only' });
    const page = await c.app.request('/');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Set <code>CONSOLE_TOKEN</code>');
    const api = await c.app.request('/api/incidents');
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { message: string } }).error.message).toContain('set CONSOLE_TOKEN');
  });

  it('needs the token on every request: none or a wrong one is refused, the right one lists the incidents', async () => {
    const incident = await open();
    const c = web({ mode: 'read-only', token: TOKEN });
    const none = await c.app.request('/api/incidents');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await c.app.request('/api/incidents', { headers: bearer('not-the-token-at-all-000000000') });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe('wrong console token');
    expect((await c.app.request(`/api/incidents/${incident.id}`)).status).toBe(401);
    expect((await c.app.request(`/incidents/${incident.id}`)).status).toBe(401);
    const ok = await c.app.request('/api/incidents', { headers: bearer() });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { mode: string; incidents: { id: string }[] };
    expect(body.mode).toBe('read-only');
    expect(body.incidents.map((i) => i.id)).toContain(incident.id);
  });

  it('refuses every action, even with the token, and changes nothing', async () => {
    const incident = await open();
    const c = web({ mode: 'read-only', token: TOKEN });
    const res = await c.app.request(
      `/api/incidents/${incident.id}/actions`,
      json({ action: 'run', step: 'pause_deploys', as: 'release_captain' }, bearer()),
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('read_only');
    expect((await deps.store.get(incident.id)).steps.get('pause_deploys')?.state).toBe('pending');
    const page = await (await c.app.request(`/incidents/${incident.id}`, { headers: bearer() })).text();
    // The same buttons as Slack, shown disabled.
    expect(page).toMatch(/data-action="run" data-step="pause_deploys" data-version="\d+" disabled/);
  });

  it('lets a browser log in once: an HttpOnly SameSite=Strict cookie that is not the token itself', async () => {
    const c = web({ mode: 'read-only', token: TOKEN });
    const page = await c.app.request('/', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('name="token"');
    const form = (token: string, origin = 'http://localhost') => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ token }).toString(),
    });
    const bad = await c.app.request('/login', form('wrong-token-wrong-token-wrong'));
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    // A login form posted from another site is refused (CSRF).
    expect((await c.app.request('/login', form(TOKEN, 'https://evil.example'))).status).toBe(403);
    const good = await c.app.request('/login', form(TOKEN));
    expect(good.status).toBe(303);
    const cookie = good.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0] ?? '';
    const list = await c.app.request('/', { headers: { cookie: session } });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('<h1>Incidents</h1>');
    // A forged cookie is refused.
    expect((await c.app.request('/', { headers: { cookie: 'rc_console=forged' } })).status).toBe(401);
  });
});

describe('drill mode', () => {
  it('runs a click through the same flow and role check as Slack: the captain may skip, the SRE may not', async () => {
    const incident = await open();
    const c = web({ mode: 'drill' });
    const origin = { origin: 'http://localhost' };
    const refused = await c.app.request(
      `/api/incidents/${incident.id}/actions`,
      json({ action: 'skip', step: 'pause_deploys', as: 'oncall_sre', reason: 'frozen already' }, origin),
    );
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      'only the Release Captain may skip `pause_deploys`',
    );
    const timeline = await deps.store.timeline(incident.id);
    expect(timeline.at(-1)).toMatchObject({ kind: 'action_refused', actor: SRE, stepId: 'pause_deploys' });
    const done = await c.app.request(
      `/api/incidents/${incident.id}/actions`,
      json({ action: 'skip', step: 'pause_deploys', as: 'release_captain', reason: 'frozen already' }, origin),
    );
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ ok: true, actor: CAPTAIN, message: 'skipped pause_deploys' });
    expect((await deps.store.get(incident.id)).steps.get('pause_deploys')).toMatchObject({
      state: 'skipped',
      actor: CAPTAIN,
    });
  });

  it('answers an out-of-date button with 409, like a stale Slack button', async () => {
    const incident = await open();
    const c = web({ mode: 'drill' });
    const res = await c.app.request(
      `/api/incidents/${incident.id}/actions`,
      json(
        { action: 'run', step: 'pause_deploys', as: 'release_captain', version: 999 },
        { origin: 'http://localhost' },
      ),
    );
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('stale');
  });

  it('refuses POSTs from another site, bad requests with the fix, and names other than localhost without a token', async () => {
    const incident = await open();
    const c = web({ mode: 'drill' });
    const path = `/api/incidents/${incident.id}/actions`;
    const body = { action: 'run', step: 'pause_deploys', as: 'release_captain' };
    expect((await c.app.request(path, json(body, { origin: 'https://evil.example' }))).status).toBe(403);
    expect((await c.app.request(path, json(body))).status).toBe(403);
    const bad = await c.app.request(
      path,
      json({ action: 'explode', as: 'release_captain' }, { origin: 'http://localhost' }),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('action:');
    const rebound = await c.app.request(
      `http://attacker.example${path}`,
      json(body, { origin: 'http://attacker.example' }),
    );
    expect(rebound.status).toBe(403);
    expect((await deps.store.get(incident.id)).steps.get('pause_deploys')?.state).toBe('pending');
  });

  it('shows hostile text as text in the page and as written in the API', async () => {
    const incident = await open();
    const c = web({ mode: 'drill' });
    const res = await c.app.request(
      `/api/incidents/${incident.id}/actions`,
      json(
        { action: 'skip', step: 'pause_deploys', as: 'release_captain', reason: HOSTILE },
        { origin: 'http://localhost' },
      ),
    );
    expect(res.status).toBe(200);
    const page = await (await c.app.request(`/incidents/${incident.id}`)).text();
    expect(page).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quotes&quot;',
    );
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    // The picker says who each role clicks as.
    expect(page).toContain(`<option value="release_captain">Release Captain · ${CAPTAIN}</option>`);
    const api = (await (await c.app.request(`/api/incidents/${incident.id}`)).json()) as {
      checklist: { rows: { step?: string; detail?: { text: string } }[] }[];
      timeline: { text: string }[];
    };
    const row = api.checklist.flatMap((p) => p.rows).find((r) => r.step === 'pause_deploys');
    expect(row?.detail?.text).toBe(`Skipped by @${CAPTAIN}: ${HOSTILE}`);
    expect(api.timeline.at(-1)?.text).toBe(`Pause deploys: skipped — ${HOSTILE}`);
  });

  it('takes the incident actions with the same role rules: the SRE marks critical, only the captain aborts', async () => {
    const incident = await open();
    const c = web({ mode: 'drill' });
    const post = (body: Record<string, unknown>) =>
      c.app.request(`/api/incidents/${incident.id}/actions`, json(body, { origin: 'http://localhost' }));
    expect((await post({ action: 'mark_critical', as: 'oncall_sre' })).status).toBe(400);
    expect((await post({ action: 'mark_critical', as: 'oncall_sre', reason: 'tokens in the logs' })).status).toBe(200);
    expect((await deps.store.get(incident.id)).incident.critical).toBe(true);
    const page = await (await c.app.request(`/incidents/${incident.id}`)).text();
    expect(page).toContain('id="step-backup_restore"');
    const refused = await post({ action: 'abort_incident', as: 'oncall_sre', reason: 'false alarm' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      'only the Release Captain may abort the rollback',
    );
    expect((await post({ action: 'abort_incident', as: 'release_captain', reason: 'false alarm' })).status).toBe(200);
    expect((await deps.store.get(incident.id)).incident.state).toBe('aborted');
  });

  it('runs extra routes behind the same guards', async () => {
    const c = web({
      mode: 'read-only',
      token: TOKEN,
      extend: (app) => app.get('/api/incidents/extra', (ctx) => ctx.json({ extra: true })),
    });
    expect((await c.app.request('/api/incidents/extra')).status).toBe(401);
    expect(await (await c.app.request('/api/incidents/extra', { headers: bearer() })).json()).toEqual({ extra: true });
  });

  it('exports what the CLI exports, as Markdown and JSON', async () => {
    const incident = await open();
    const c = web({ mode: 'drill' });
    const md = await c.app.request(`/api/incidents/${incident.id}/export?format=markdown`);
    expect(md.headers.get('content-type')).toContain('text/markdown');
    expect(await md.text()).toContain(`# ${incident.id}: rollback of v1.2.3`);
    const js = (await (await c.app.request(`/api/incidents/${incident.id}/export?format=json`)).json()) as {
      incident: { id: string };
      markdown: string;
      timeline: unknown[];
    };
    expect(js.incident.id).toBe(incident.id);
    expect(js.timeline.length).toBeGreaterThan(0);
    expect((await c.app.request(`/api/incidents/${incident.id}/export?format=pdf`)).status).toBe(400);
    const missing = await c.app.request('/api/incidents/rb-99999');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      'there is no incident `rb-99999`',
    );
    const page = await c.app.request('/incidents/rb-99999');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('there is no incident');
  });
});

describe('on the HTTP server', () => {
  let server: Server;
  let base: string;
  let mounted: WebConsole;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true,"from":"server"}');
    });
    mounted = mountConsole(server, { deps, mode: 'drill', log: pino({ level: 'silent' }), pollMs: 60_000 });
    consoles.push(mounted);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    mounted.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('leaves /healthz and the other routes to the server', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, from: 'server' });
    expect(await (await fetch(`${base}/slack/events`, { method: 'POST' })).json()).toEqual({
      ok: true,
      from: 'server',
    });
    expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');
  });

  it('answers a POST with no body and no content-length (curl -X POST without -d) with 400 saying what body to send', async () => {
    const incident = await open();
    const actions = `/api/incidents/${incident.id}/actions`;
    // Raw HTTP on a socket, to send exactly what curl sends: no body and no content-length (or a chunked body).
    const post = (path: string, headers: Record<string, string>, chunks: string[] = []) =>
      new Promise<{ status: number; error?: { code: string; message: string } }>((resolve, reject) => {
        const { host } = new URL(base);
        const head = {
          host,
          origin: base,
          connection: 'close',
          ...headers,
          ...(chunks.length ? { 'transfer-encoding': 'chunked' } : {}),
        };
        const socket = connect(Number(new URL(base).port), '127.0.0.1');
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', (d: string) => (received += d));
        socket.on('error', reject);
        socket.on('end', () => {
          const [top = '', ...rest] = received.split('\r\n\r\n');
          const body = rest.join('\r\n\r\n');
          // A chunked answer: drop the chunk-size lines around the JSON.
          const json = /chunked/i.test(top)
            ? body
                .split('\r\n')
                .filter((_l, i) => i % 2 === 1)
                .join('')
            : body;
          resolve({
            status: Number(top.split(' ')[1]),
            ...(JSON.parse(json) as { error?: { code: string; message: string } }),
          });
        });
        socket.write(
          `POST ${path} HTTP/1.1\r\n${Object.entries(head)
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join('')}\r\n`,
        );
        for (const c of chunks) socket.write(`${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`);
        if (chunks.length) socket.write('0\r\n\r\n');
      });
    const bare = await post(actions, {});
    expect(bare.status).toBe(400);
    expect(bare.error).toEqual({
      code: 'invalid_input',
      message:
        'send the action as a JSON body (content-type: application/json), like {"action":"run","step":"pause_deploys","as":"release_captain"}',
    });
    const typedButEmpty = await post(actions, { 'content-type': 'application/json' });
    expect(typedButEmpty.status).toBe(400);
    expect(typedButEmpty.error?.message).toMatch(/^the request has no body: send the action as a JSON body/);
    const notJson = await post(actions, { 'content-type': 'application/json' }, ['{nope']);
    expect(notJson.status).toBe(400);
    expect(notJson.error?.message).toMatch(/^the body is not valid JSON: send the action as a JSON body/);
    expect((await deps.store.get(incident.id)).steps.get('pause_deploys')?.state).toBe('pending');
    // A chunked body (no content-length either) is read and acted on; one over the limit gets 413.
    const chunked = await post(actions, { 'content-type': 'application/json' }, [
      '{"action":"skip","step":"pause_deploys",',
      '"as":"release_captain","reason":"frozen by hand"}',
    ]);
    expect(chunked.status).toBe(200);
    expect((await deps.store.get(incident.id)).steps.get('pause_deploys')?.state).toBe('skipped');
    const huge = await post(actions, { 'content-type': 'application/json' }, [
      '{"reason":"',
      'x'.repeat(20 * 1024),
      '"}',
    ]);
    expect(huge.status).toBe(413);
    expect(huge.error?.message).toContain('larger than 16 KiB');
  });

  it('pushes the changed checklist over server-sent events, without a reload', async () => {
    const incident = await open();
    const res = await fetch(`${base}/incidents/${incident.id}/live`, { headers: { accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const regions = () => received.split('\n\n').filter((m) => m.startsWith('event: region'));
    const read = async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        received += value;
      }
    };
    void read().catch(() => undefined);
    await until('the first region', () => regions().length >= 1);
    expect(regions()[0]).toContain('data-step="pause_deploys" data-state="pending"');
    // The poll is a minute away: only the click's own nudge can deliver this in time.
    const click = await fetch(
      `${base}/api/incidents/${incident.id}/actions`,
      json(
        { action: 'skip', step: 'pause_deploys', as: 'release_captain', reason: 'frozen already' },
        { origin: base },
      ),
    );
    expect(click.status).toBe(200);
    await until(
      'a pushed region with the skipped step',
      () => regions().some((r) => r.includes('data-step="pause_deploys" data-state="skipped"')),
      10_000,
    );
    await reader.cancel();
  });
});
