/**
 * Who may see the console. With a token (CONSOLE_TOKEN), every request needs it: an API client
 * sends `Authorization: Bearer <token>`; a browser types it once into /login and gets an HttpOnly,
 * SameSite=Strict cookie that holds a keyed hash of the token, never the token itself. Both are
 * compared in constant time. POSTs also need the page's own origin (or the bearer header, which a
 * browser never adds by itself), so another site can't click for someone who is logged in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { loginPage } from './console-pages.ts';

const SESSION_COOKIE = 'rc_console';

/** A token gets its own digest, so the comparison never depends on (or leaks) its length. */
function digest(value: string, label: string): Buffer {
  return createHmac('sha256', label).update(value).digest();
}

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(
    digest(given, 'rollback-commander console token'),
    digest(expected, 'rollback-commander console token'),
  );
}

/** The cookie's value: derived from the token, so a copied cookie is not the token. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('rollback-commander console session v1').digest('base64url');
}

function bearerOf(c: Context): string | null {
  const header = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? null;
}

export type Access = 'bearer' | 'cookie' | 'open';

/** How this request is allowed in, or null: the token is set and neither header nor cookie matches. */
function accessOf(c: Context, token: string | undefined): Access | null {
  if (!token) return 'open';
  const bearer = bearerOf(c);
  if (bearer !== null) return sameSecret(bearer, token) ? 'bearer' : null;
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie !== undefined && sameSecret(cookie, sessionValue(token)) ? 'cookie' : null;
}

/** Requests without the token: the API gets 401 JSON, a browser page the login form. */
function requireToken(
  token: string | undefined,
  loginPage: (c: Context, problem?: string) => Response | Promise<Response>,
): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path;
    if (path === '/login' || path === '/console/app.css') return next();
    const access = accessOf(c, token);
    if (access) {
      c.set('access' as never, access as never);
      return next();
    }
    const wrong = bearerOf(c) !== null;
    if (path.startsWith('/api/') || c.req.header('accept')?.includes('text/event-stream')) {
      const message = wrong
        ? 'wrong console token'
        : 'this console needs its token: send `Authorization: Bearer <CONSOLE_TOKEN>`';
      return c.json({ ok: false, error: { code: 'unauthorized', message } }, 401, {
        'www-authenticate': 'Bearer realm="rollback-commander console"',
      });
    }
    c.status(401);
    return loginPage(c, wrong ? 'That token is not right.' : undefined);
  };
}

/**
 * CSRF: a POST made with the cookie (or with no token at all, in a drill) must come from a page of
 * this origin. A request with the bearer header is a script that holds the token, not a browser.
 */
export function sameOriginPosts(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'POST' || bearerOf(c) !== null) return next();
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    const own = new URL(c.req.url).origin;
    if (origin === own || (origin === undefined && site === 'same-origin')) return next();
    return c.json(
      {
        ok: false,
        error: {
          code: 'forbidden',
          message: `cross-site request refused: POSTs must come from the console's own page (${own})`,
        },
      },
      403,
    );
  };
}

/**
 * A drill with no token is open to whoever reaches the port, so only loopback host names are
 * answered: a page on another site can't reach it by pointing its own name at 127.0.0.1.
 */
export function loopbackHostOnly(): MiddlewareHandler {
  return async (c, next) => {
    const host = new URL(c.req.url).hostname;
    if (host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost')) return next();
    return c.json(
      {
        ok: false,
        error: {
          code: 'forbidden',
          message: `the drill console without CONSOLE_TOKEN answers only on localhost (asked for ${host}); set CONSOLE_TOKEN to open it to other names`,
        },
      },
      403,
    );
  };
}

/** The login form (only when there is a token to give) and logout: a session cookie, never the token. */
export function registerLogin(app: Hono, token: string | undefined): void {
  app.get('/login', (c) => (token ? c.html(loginPage()) : c.redirect('/')));
  app.post('/login', async (c) => {
    if (!token) return c.redirect('/');
    const body = await c.req.parseBody();
    const given = typeof body.token === 'string' ? body.token.trim() : '';
    if (!given || !sameSecret(given, token)) return c.html(loginPage('That token is not right.'), 401);
    setCookie(c, SESSION_COOKIE, sessionValue(token), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: 12 * 3600,
    });
    return c.redirect('/', 303);
  });
  app.use(
    '*',
    requireToken(token, (c, problem) => c.html(loginPage(problem))),
  );
  app.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
}
