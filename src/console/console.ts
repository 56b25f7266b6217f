/**
 * The web console (README "Web console"): the incidents, one incident's live checklist, thread,
 * times, SLA clocks and export, and a JSON API — on the same HTTP server and port as /healthz.
 *
 * - `drill`: actions allowed; a role picker in the page says who is clicking, and the click runs
 *   the same flow, role check and timeline record as Slack's button or the CLI.
 * - `read-only`: off unless a token is given (CONSOLE_TOKEN), because the console has no login of
 *   its own; with it, every request needs the token and every POST is refused.
 *
 * Routing and escaping are hono's (`html` escapes every interpolation); the node adapter turns it
 * into a request listener that `mountConsole` puts in front of the server's own routes.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE } from 'hono/streaming';
import type { Logger } from 'pino';
import { UserFacingError } from '../domain/errors.ts';
import { ROLES, type Role } from '../domain/steps.ts';
import type { FlowDeps } from '../flows/deps.ts';
import { registerApi } from './console-api.ts';
import { loopbackHostOnly, registerLogin, sameOriginPosts } from './console-auth.ts';
import { boundedBody } from './console-body.ts';
import { errorResponse } from './console-errors.ts';
import { type Actors, type ConsoleMode, incidentList, listPage, notFoundPage, offPage } from './console-pages.ts';
import { incidentPage, liveRegion } from './incident-page.ts';
import { loadIncidentView } from './incident-view.ts';
import { createLiveFeed, LIST_KEY } from './live-feed.ts';

export interface ConsoleOptions {
  /** The flows' dependencies: the store the pages read, and the commands clicks run (drill mode). */
  deps: FlowDeps;
  mode: ConsoleMode;
  /** CONSOLE_TOKEN: required for every request when set. Read-only mode without it: the console is off. */
  token?: string;
  /** Who clicks as each role in drill mode (default: the first person configured for the role). */
  roles?: Partial<Record<Role, string>>;
  log: Logger;
  /** How often open pages re-read the store for changes made by other processes (default 1 s). */
  pollMs?: number;
  /**
   * More routes behind the same token, CSRF and host checks (the drill adds its scenario routes
   * here); called before the console's own routes, so it can't be reached around them.
   */
  extend?: (app: Hono, context: { mode: ConsoleMode; changed(incidentId: string): void }) => void;
}

export interface WebConsole {
  /** `off`: read-only mode without a token (only a page saying how to turn it on). */
  state: ConsoleMode | 'off';
  app: Hono;
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Whether a request path is the console's (the rest stays with the server's own routes). */
  handles(path: string): boolean;
  /** Tell open pages that an incident changed (wire the flows' IncidentObserver here). */
  changed(incidentId: string): void;
  /** Ends the live streams, so the server can close. */
  close(): void;
}

const STATIC = new URL('./static/', import.meta.url);
const ASSETS = {
  'app.js': { body: readFileSync(new URL('app.js', STATIC), 'utf8'), type: 'text/javascript; charset=utf-8' },
  'app.css': { body: readFileSync(new URL('app.css', STATIC), 'utf8'), type: 'text/css; charset=utf-8' },
};

/** The console's paths on the shared server (extensions add theirs under /api/ or /drill). */
const CONSOLE_PATHS = /^\/(?:$|login$|logout$|live$|console\/|incidents\/|drill(?:\/|$)|api\/)/;

export function createConsole(options: ConsoleOptions): WebConsole {
  const { deps, log } = options;
  const mode = options.mode;
  const feed = createLiveFeed({
    pollMs: options.pollMs,
    onError: (err) => log.warn({ err }, 'console: could not render a live update'),
  });
  const streams = new Set<() => void>();
  const app = new Hono();
  const off = mode === 'read-only' && !options.token;

  app.onError((err, c) => errorResponse(c, err, log));
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json(
          { ok: false, error: { code: 'not_found', message: `no such console route: ${c.req.method} ${c.req.path}` } },
          404,
        )
      : c.html(notFoundPage(`Nothing at ${c.req.path}.`), 404),
  );
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
  app.get('/console/:file', (c) => {
    const asset = ASSETS[c.req.param('file') as keyof typeof ASSETS];
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
  });
  if (off) {
    app.get('/', (c) => c.html(offPage(), 404));
    app.all('/api/*', (c) =>
      c.json(
        {
          ok: false,
          error: { code: 'not_found', message: 'the web console is off: set CONSOLE_TOKEN to turn it on (read-only)' },
        },
        404,
      ),
    );
    return finish();
  }
  if (!options.token) app.use('*', loopbackHostOnly());
  app.use('*', csrf(), sameOriginPosts(), boundedBody(16 * 1024));
  registerLogin(app, options.token);

  options.extend?.(app, { mode, changed: (id) => feed.changed(id) });
  const list = () => deps.store.list({ environment: deps.config.environment.name, limit: 50 });
  const view = (id: string) => loadIncidentView(deps, id, deps.now());

  const actors = async (): Promise<Actors> => {
    if (mode !== 'drill') return {};
    const entries = await Promise.all(ROLES.map(async (r) => [r, await actorFor(r).catch(() => undefined)] as const));
    return Object.fromEntries(entries.filter(([, a]) => a !== undefined));
  };
  app.get('/', async (c) => c.html(listPage(await list(), mode, await actors())));
  app.get('/live', (c) => live(c, LIST_KEY, async () => (await incidentList(await list())).toString()));
  app.get('/incidents/:id', async (c) => {
    const id = c.req.param('id');
    return c.html(incidentPage(await view(id), mode, await actors()));
  });
  app.get('/incidents/:id/live', async (c) => {
    const id = c.req.param('id');
    await deps.store.get(id); // 404 before the stream opens
    return live(c, id, async () => (await liveRegion(await view(id), mode)).toString());
  });

  registerApi(app, { deps, mode, list, view, actorFor, changed: (id) => feed.changed(id) });
  return finish();

  async function actorFor(role: Role): Promise<string> {
    const actor = options.roles?.[role] ?? (await deps.roles.membersOf(role))[0];
    if (!actor)
      throw new UserFacingError(
        'invalid_input',
        `nobody is configured as ${role}: add a user under roles.${role}.users in the drill's rollback.yml`,
      );
    return actor;
  }

  function live(c: Context, key: string, render: () => Promise<string>) {
    return streamSSE(c, async (stream) => {
      const done = new Promise<void>((resolve) => {
        const stop = () => resolve();
        streams.add(stop);
        stream.onAbort(stop);
      });
      const unsubscribe = feed.subscribe(
        key,
        render,
        (data) => void stream.writeSSE({ event: 'region', data }).catch(() => undefined),
      );
      // A comment every 15 s keeps proxies from closing an idle stream.
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => undefined), 15_000);
      await done;
      clearInterval(keepAlive);
      unsubscribe();
    });
  }

  function finish(): WebConsole {
    const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
    return {
      state: off ? 'off' : mode,
      app,
      listener: (req, res) => void listener(req, res),
      handles: (path) => CONSOLE_PATHS.test(path.split('?')[0] ?? ''),
      changed: (id) => feed.changed(id),
      close() {
        for (const stop of streams) stop();
        streams.clear();
        feed.close();
      },
    };
  }
}

/**
 * Puts the console in front of an existing HTTP server (the one serving /healthz): its paths go
 * to the console, everything else (/healthz, /readyz, /metrics, /slack/events) to the server's
 * own request listeners as before.
 */
export function mountConsole(server: Server, options: ConsoleOptions): WebConsole {
  const web = createConsole(options);
  const previous = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (web.handles(req.url ?? '/')) return web.listener(req, res);
    for (const l of previous) l.call(server, req, res);
  });
  return web;
}
