/**
 * The fake API server's wire format: JSON request bodies, JSON responses and the `Status` object
 * an API server answers errors with (with RBAC's details on a 403).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenError } from './rbac.ts';
import { KubeStatusError } from './store.ts';

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new KubeStatusError(400, 'BadRequest', 'the request body is not valid JSON');
  }
}

export function statusBody(err: KubeStatusError): unknown {
  const details = err instanceof ForbiddenError ? { details: err.details } : {};
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: err.reason,
    ...details,
    code: err.code,
  };
}

export function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
