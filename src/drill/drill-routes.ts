/**
 * The drill's own console routes (issue 9 §2–3), added through the console's `extend` so they sit
 * behind the same host, origin and CSRF checks: a page to pick a scenario (plain forms, no script),
 * the scenario's world actions, the drill report — and the same as JSON under /api/drill.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { layout } from '../console/console-pages.ts';
import type { Drill } from './drill.ts';
import { applyWorldAction, currentScenario, drillSummary, startDrillScenario } from './play.ts';
import { SCENARIO_NAMES, SCENARIOS } from './scenarios.ts';

/** `drill()`: the drill these routes act on (mounted while it starts, so looked up per request). */
export function addDrillRoutes(app: Hono, drillOf: () => Drill, console: { changed(incidentId: string): void }): void {
  const open = () => drillOf().deps.store.findOpen(drillOf().config.runbook.environment.name);
  const start = async (name: string) => {
    const { incident } = await startDrillScenario(drillOf(), name);
    console.changed(incident.id);
    return incident;
  };

  app.get('/api/drill', async (c) => {
    const current = await open();
    return c.json({
      scenarios: SCENARIO_NAMES.map((n) => SCENARIOS[n]),
      open: current ? { id: current.id, scenario: currentScenario(drillOf())?.name ?? null } : null,
    });
  });
  app.post('/api/drill/scenarios/:name', async (c) =>
    c.json({ ok: true, incident: (await start(c.req.param('name'))).id }),
  );
  app.post('/api/drill/world/:action', (c) => {
    applyWorldAction(drillOf(), c.req.param('action'));
    return c.json({ ok: true });
  });
  app.get('/api/drill/report/:id', async (c) => c.json(await drillSummary(drillOf(), c.req.param('id'))));

  app.get('/drill', async (c) => {
    const current = await open();
    const scenario = current ? currentScenario(drillOf()) : null;
    const recent = (await drillOf().deps.store.list({ limit: 10 })).filter((i) => i.state !== 'open');
    const body = html`<h1>Drills</h1>
${
  current
    ? html`<p>Drill <a href="/incidents/${current.id}">${current.id}</a> is open${scenario ? html` (${scenario.title})` : ''}. Finish or abort it to start another.</p>
${(scenario?.worldActions ?? []).map((a) => html`<form method="post" action="/drill/world/${a.id}"><button type="submit">${a.title}</button></form>`)}
${scenario ? html`<h2>What the people do</h2><ol>${scenario.guide.map((m) => html`<li><b>${m.role}</b> ${m.action} <code>${m.step}</code> — ${m.why}</li>`)}</ol>` : ''}`
    : SCENARIO_NAMES.map((n) => SCENARIOS[n]).map(
        (s) => html`<section><h2>${s.title}</h2><p>${s.story}</p>
<form method="post" action="/drill/scenarios/${s.name}"><button type="submit">Start ${s.name}</button></form></section>`,
      )
}
${recent.length ? html`<h2>Reports</h2><ul>${recent.map((i) => html`<li><a href="/drill/report/${i.id}">${i.id}</a> — ${i.state}</li>`)}</ul>` : ''}`;
    return c.html(layout('Drills', body, { mode: 'drill' }));
  });
  app.post('/drill/scenarios/:name', async (c) =>
    c.redirect(`/incidents/${(await start(c.req.param('name'))).id}`, 303),
  );
  app.post('/drill/world/:action', (c) => {
    applyWorldAction(drillOf(), c.req.param('action'));
    return c.redirect('/drill', 303);
  });
  app.get('/drill/report/:id', async (c) => {
    const { markdown } = await drillSummary(drillOf(), c.req.param('id'));
    return c.html(
      layout(
        'Drill report',
        html`<h1>Drill report</h1><pre class="report">${markdown}</pre><p><a href="/drill">Drills</a></p>`,
        { mode: 'drill' },
      ),
    );
  });
}
