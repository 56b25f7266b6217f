/**
 * The fake API server's HTTP surface: the REST paths, verbs, `Status` errors, RBAC and watch
 * streams of @kubernetes/client-node's view of a real API server, for the resources we use.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACCESS_REVIEW_PATH, CUSTOM, route, STATUS_CARRIED, type Target, verbOf } from './http-routes.ts';
import { readBody, send, statusBody } from './http-wire.ts';
import { managerOf, trackManagedFields } from './managed-fields.ts';
import { applyPatch } from './patch.ts';
import { allows, ForbiddenError, type RoleGrant } from './rbac.ts';
import { type ObjectFilter, parseSelectors } from './selectors.ts';
import {
  type FakeKubeStore,
  type KubeObject,
  KubeStatusError,
  notFound,
  qualified,
  RESOURCES,
  type Resource,
  type StoreEvent,
} from './store.ts';
import { admit } from './workloads.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: unknown;
}

export interface AccessRule {
  verb: string;
  resource: string;
  group?: string;
}

interface OpenWatch {
  namespace: string;
  close(error?: KubeStatusError): void;
}

export const FAKE_USER = 'system:serviceaccount:ops:rollback-commander';

export type FakeKubeHttp = ReturnType<typeof createFakeKubeHttp>;

export function createFakeKubeHttp(store: FakeKubeStore, options: { token: string; watchTimeoutMs?: number }) {
  const requests: RecordedRequest[] = [];
  const denied = new Set<string>();
  const faults: { status: number; remaining: number }[] = [];
  const watches = new Set<OpenWatch>();
  /** When set, only what these rules allow is allowed (rbac.ts); null: everything not denied. */
  let rbac: { grants: RoleGrant[]; user: string } | null = null;
  const granted = (request: Parameters<typeof allows>[1]) => rbac!.grants.some((g) => allows(g, request));
  const accessKey = (verb: string, group: string, resource: string) => `${verb} ${group}/${resource}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type']?.split(';')[0];
    try {
      const body = await readBody(req);
      requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), contentType, body });
      if (req.headers.authorization !== `Bearer ${options.token}`) {
        throw new KubeStatusError(401, 'Unauthorized', 'Unauthorized');
      }
      const fault = faults[0];
      if (fault) {
        if (--fault.remaining <= 0) faults.shift();
        throw new KubeStatusError(fault.status, 'InternalError', `injected fault: HTTP ${fault.status}`);
      }
      if (url.pathname === ACCESS_REVIEW_PATH && method === 'POST') return send(res, 201, review(body));
      const target = route(url.pathname);
      const verb = verbOf(method, target, url.searchParams);
      authorize(verb, target);
      if (verb === 'watch') return serveWatch(res, target, url.searchParams);
      const manager = managerOf(url.searchParams.get('fieldManager'), req.headers['user-agent']);
      send(res, method === 'POST' ? 201 : 200, serve(verb, target, url.searchParams, contentType, body, manager));
    } catch (err) {
      const status = err instanceof KubeStatusError ? err : new KubeStatusError(500, 'InternalError', String(err));
      if (!res.headersSent) send(res, status.code, statusBody(status));
    }
  }

  function authorize(verb: string, target: Target): void {
    const { group } = RESOURCES[target.resource];
    const request = { verb, group, resource: target.resource, namespace: target.namespace, name: target.name };
    if (denied.has(accessKey(verb, group, target.resource))) throw new ForbiddenError(request, rbac?.user ?? FAKE_USER);
    if (rbac && !granted(request)) throw new ForbiddenError(request, rbac.user);
  }

  function review(body: unknown): unknown {
    const attributes =
      (body as { spec?: { resourceAttributes?: Record<string, string> } }).spec?.resourceAttributes ?? {};
    const request = {
      verb: attributes.verb ?? '',
      group: attributes.group ?? '',
      resource: attributes.resource ?? '',
      namespace: attributes.namespace ?? '',
      name: attributes.name,
    };
    const allowed =
      !denied.has(accessKey(request.verb, request.group, request.resource)) && (!rbac || granted(request));
    return { ...(body as object), status: allowed ? { allowed } : { allowed, reason: 'no RBAC policy matched' } };
  }

  function serve(
    verb: string,
    target: Target,
    query: URLSearchParams,
    contentType: string | undefined,
    body: unknown,
    manager: string,
  ): unknown {
    const { resource, namespace, name = '' } = target;
    const current = name ? store.get(resource, namespace, name) : undefined;
    if (name && !current && verb !== 'create') throw notFound(resource, name);
    switch (verb) {
      case 'get':
        return current;
      case 'list':
        return list(target, parseSelectors(query.get('labelSelector'), query.get('fieldSelector')));
      case 'create':
        return store.create(
          resource,
          trackManagedFields(undefined, admit(resource, incoming(target, body, undefined)), manager),
        );
      case 'update':
        return write(target, current, incoming(target, body, current), manager);
      case 'patch':
        if (CUSTOM.has(resource) && contentType === 'application/strategic-merge-patch+json') {
          // The real API server: custom resources have no patch strategies to merge by.
          throw new KubeStatusError(
            415,
            'UnsupportedMediaType',
            'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
          );
        }
        return write(target, current, incoming(target, applyPatch(contentType ?? '', current, body), current), manager);
      case 'delete':
        store.remove(resource, namespace, name);
        return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: resource } };
    }
    throw new KubeStatusError(405, 'MethodNotAllowed', `${verb} is not supported here`);
  }

  function incoming(target: Target, body: unknown, current: KubeObject | undefined): KubeObject {
    const object = structuredClone(body) as KubeObject;
    if (!object || typeof object !== 'object' || !object.metadata?.name) {
      throw new KubeStatusError(
        422,
        'Invalid',
        `${RESOURCES[target.resource].kind} is invalid: metadata.name: Required value`,
      );
    }
    if (target.name && object.metadata.name !== target.name) {
      throw new KubeStatusError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    }
    object.apiVersion = RESOURCES[target.resource].apiVersion;
    object.kind = RESOURCES[target.resource].kind;
    object.metadata.namespace = target.namespace;
    // status is a subresource: writes to the main resource don't change it.
    if (STATUS_CARRIED.has(target.resource)) object.status = current?.status;
    return object;
  }

  function write(target: Target, current: KubeObject | undefined, next: KubeObject, manager: string): KubeObject {
    const expected = next.metadata.resourceVersion;
    if (current && expected && expected !== current.metadata.resourceVersion) {
      throw new KubeStatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${qualified(target.resource)} "${target.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    return store.update(target.resource, trackManagedFields(current, admit(target.resource, next), manager));
  }

  function list(target: Target, filter: ObjectFilter): unknown {
    const { kind, apiVersion } = RESOURCES[target.resource];
    const items = store.list(target.resource, target.namespace).filter(filter);
    return { kind: `${kind}List`, apiVersion, metadata: { resourceVersion: String(store.resourceVersion()) }, items };
  }

  function serveWatch(res: ServerResponse, target: Target, query: URLSearchParams): void {
    const filter = parseSelectors(query.get('labelSelector'), query.get('fieldSelector'));
    const matches = (e: StoreEvent) =>
      e.resource === target.resource && e.object.metadata.namespace === target.namespace && filter(e.object);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const emit = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    const from = query.get('resourceVersion');
    const backlog = from && from !== '0' ? store.eventsSince(Number(from)) : 'current';
    if (backlog === 'expired') {
      // What a real API server does once etcd compacted past the requested version.
      emit('ERROR', statusBody(new KubeStatusError(410, 'Expired', `too old resource version: ${from}`)));
      res.end();
      return;
    }
    if (backlog === 'current')
      for (const o of list(target, filter) as { items: KubeObject[] }['items']) emit('ADDED', o);
    else for (const e of backlog.filter(matches)) emit(e.type, e.object);
    const unsubscribe = store.subscribe((e) => matches(e) && emit(e.type, e.object));
    const timeoutMs = query.has('timeoutSeconds') ? Number(query.get('timeoutSeconds')) * 1000 : options.watchTimeoutMs;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => watch.close(), timeoutMs);
    const watch: OpenWatch = {
      namespace: target.namespace,
      close(error) {
        if (error && !res.writableEnded) emit('ERROR', statusBody(error));
        cleanup();
        res.end();
      },
    };
    const cleanup = () => {
      unsubscribe();
      clearTimeout(timer);
      watches.delete(watch);
    };
    watches.add(watch);
    res.on('close', cleanup);
  }

  return {
    handle,
    requests,
    setAccess(rule: AccessRule, allowed: boolean): void {
      const key = accessKey(rule.verb, rule.group ?? RESOURCES[rule.resource as Resource]?.group ?? '', rule.resource);
      if (allowed) denied.delete(key);
      else denied.add(key);
    },
    /** Allow only what this grant allows (as `user`) from now on; null lifts it. */
    enforceRbac(grant: RoleGrant | RoleGrant[] | null, user = FAKE_USER): void {
      rbac = grant && { grants: structuredClone(Array.isArray(grant) ? grant : [grant]), user };
    },
    failNextRequests(count: number, status: number): void {
      faults.push({ status, remaining: count });
    },
    clearFaults(): void {
      faults.length = 0;
    },
    /** Ends every open watch, as an API server does on restart or after its timeout; optionally with an ERROR event. */
    closeWatches(error?: { code: 410 }): void {
      const status =
        error && new KubeStatusError(410, 'Expired', 'The resourceVersion for the provided watch is too old.');
      for (const watch of [...watches]) watch.close(status);
    },
    /** Watches open now, in one namespace or in all. */
    activeWatches: (namespace?: string) =>
      [...watches].filter((w) => namespace === undefined || w.namespace === namespace).length,
  };
}
