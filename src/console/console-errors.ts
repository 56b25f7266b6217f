/**
 * How the console answers an error: hono's own refusals (csrf, too large), a UserFacingError with
 * its status (JSON under /api/, a page elsewhere), and anything else as a 500 with an error id
 * that points into the bot's log, never the error's own text.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { type ErrorCode, newErrorId, UserFacingError } from '../domain/errors.ts';
import { notFoundPage } from './console-pages.ts';

const STATUS: Partial<Record<ErrorCode, 400 | 403 | 404 | 409 | 503>> = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  stale: 409,
  prerequisite_unmet: 409,
  illegal_transition: 409,
  upstream_unavailable: 503,
  database_unavailable: 503,
};

export function errorResponse(c: Context, err: Error, log: Logger): Response | Promise<Response> {
  // hono's own refusals (csrf: a form posted from another site) and boundedBody's (too large).
  if (err instanceof HTTPException) {
    const message =
      err.status === 403
        ? "cross-site request refused: forms must be posted from the console's own page"
        : err.message || 'request refused';
    return c.json(
      { ok: false, error: { code: err.status === 403 ? 'forbidden' : 'invalid_input', message } },
      err.status,
    );
  }
  // The rule userFacingText applies everywhere; the console also needs the error's code for the status.
  if (err instanceof UserFacingError) {
    const status = STATUS[err.code] ?? 400;
    if (c.req.path.startsWith('/api/'))
      return c.json({ ok: false, error: { code: err.code, message: err.message } }, status);
    return c.html(notFoundPage(err.message), status === 404 ? 404 : 400);
  }
  const errorId = newErrorId();
  log.error({ err, errorId, path: c.req.path }, 'console request failed');
  return c.json(
    { ok: false, error: { code: 'internal', message: `something went wrong (error id ${errorId}, in the bot's log)` } },
    500,
  );
}
