/**
 * The console's request-body limit. hono's `bodyLimit` re-wraps the request with
 * `new Request(c.req.raw, …)` whenever it has no content-length — which @hono/node-server's
 * lightweight request can't be, so `curl -X POST` without `-d` (no body, no content-length) ended
 * in a 500 ("Cannot read private member #state"). Here: a declared length is checked as is; a
 * request without one (no body at all, a chunked one, or one built in-process) is read up to the
 * limit and handed on as a plain Request with exactly those bytes — empty when nothing was sent.
 */
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';

export function boundedBody(maxSize: number): MiddlewareHandler {
  const tooLarge = () =>
    new HTTPException(413, {
      message: `the request body is larger than ${Math.round(maxSize / 1024)} KiB: send only the JSON the route expects (README "Web console")`,
    });
  return async (c, next) => {
    const raw = c.req.raw;
    if (raw.method === 'GET' || raw.method === 'HEAD') return next();
    const length = raw.headers.get('content-length');
    const chunked = raw.headers.has('transfer-encoding');
    if (length !== null && !chunked) {
      if (Number.parseInt(length, 10) > maxSize) throw tooLarge();
      return next();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (raw.body) {
      const reader = raw.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > maxSize) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge();
        }
        chunks.push(value);
      }
    }
    const headers = new Headers(raw.headers);
    headers.delete('transfer-encoding');
    headers.set('content-length', String(size));
    c.req.raw = new Request(raw.url, {
      method: raw.method,
      headers,
      body: size > 0 ? Buffer.concat(chunks) : null,
      signal: raw.signal,
    });
    return next();
  };
}
