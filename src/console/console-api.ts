/**
 * The console's JSON API: the incidents, one incident's view, its timeline export (Markdown or
 * JSON), and in drill mode the actions a click sends (the same flows as Slack's buttons and the CLI).
 */
import type { Hono } from 'hono';
import { incidentJson, statusJson } from '../app/cli-json.ts';
import { UserFacingError } from '../domain/errors.ts';
import type { Incident } from '../domain/incident.ts';
import type { Role } from '../domain/steps.ts';
import type { FlowDeps } from '../flows/deps.ts';
import { readExport } from '../flows/export-timeline.ts';
import { ActionRequest, performAction } from './console-actions.ts';
import type { ConsoleMode } from './console-pages.ts';
import { type IncidentView, incidentViewJson } from './incident-view.ts';

export interface ApiContext {
  deps: FlowDeps;
  mode: ConsoleMode;
  list(): Promise<readonly Incident[]>;
  view(id: string): Promise<IncidentView>;
  actorFor(role: Role): Promise<string>;
  /** Tell open pages that an incident changed. */
  changed(id: string): void;
}

export function registerApi(app: Hono, { deps, mode, list, view, actorFor, changed }: ApiContext): void {
  app.get('/api/incidents', async (c) => c.json({ mode, incidents: (await list()).map(incidentJson) }));
  app.get('/api/incidents/:id', async (c) => c.json({ mode, ...incidentViewJson(await view(c.req.param('id'))) }));
  app.get('/api/incidents/:id/export', async (c) => {
    const id = c.req.param('id');
    const format = c.req.query('format') ?? 'markdown';
    const progress = c.req.query('progress') === 'true';
    if (format !== 'markdown' && format !== 'text' && format !== 'json')
      throw new UserFacingError(
        'invalid_input',
        `unknown export format "${format}": use format=markdown or format=json`,
      );
    const { snap, events, markdown } = await readExport(deps, id, { progress });
    if (format === 'json') return c.json({ ...statusJson(snap, events), markdown });
    return c.body(markdown, 200, { 'content-type': 'text/markdown; charset=utf-8' });
  });
  app.post('/api/incidents/:id/actions', async (c) => {
    if (mode !== 'drill') {
      return c.json(
        {
          ok: false,
          error: {
            code: 'read_only',
            message:
              'this console is read-only outside drill mode: act in Slack or with the CLI (rollback-commander run|approve|…)',
          },
        },
        403,
      );
    }
    const expected =
      'send the action as a JSON body (content-type: application/json), like {"action":"run","step":"pause_deploys","as":"release_captain"}';
    if (!(c.req.header('content-type') ?? '').startsWith('application/json'))
      throw new UserFacingError('invalid_input', expected);
    const text = await c.req.text();
    if (!text.trim()) throw new UserFacingError('invalid_input', `the request has no body: ${expected}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UserFacingError('invalid_input', `the body is not valid JSON: ${expected}`);
    }
    const parsed = ActionRequest.safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      throw new UserFacingError(
        'invalid_input',
        `bad action request (${problems}); see README "Web console" for the fields`,
      );
    }
    const id = c.req.param('id');
    const actor = await actorFor(parsed.data.as);
    const message = await performAction(deps, id, parsed.data, actor);
    changed(id);
    return c.json({ ok: true, message, actor });
  });
}
