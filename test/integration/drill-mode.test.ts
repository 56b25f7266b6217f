/**
 * `rollback-commander drill --scenario app-only` as a person runs it: one line naming the console
 * URL, the bot's HTTP server answering there, the scenario's drill open — and when the drill ends,
 * its summary and drill report in the terminal.
 */
import { expect, it } from 'vitest';
import type { Drill } from '../../src/drill/drill.ts';
import { actAs } from '../../src/drill/play.ts';
import { runDrillMode } from '../../src/drill/run.ts';
import { DATABASE_URL, dropTestState, REDIS_URL, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

it('prints one line with the console URL, opens the scenario, and reports the drill when it ends', async () => {
  const name = uniqueName('drill');
  const lines: string[] = [];
  let stop!: () => void;
  const stopSignal = new Promise<void>((resolve) => (stop = resolve));
  let drill: Drill | undefined;
  const running = runDrillMode({
    env: { PATH: process.env.PATH, DATABASE_URL, REDIS_URL, LOG_LEVEL: 'silent' },
    out: (line) => lines.push(line),
    scenario: 'app-only',
    stopSignal,
    name,
    port: 0,
    onReady: (d) => (drill = d),
  });
  try {
    const ready = await until('the drill to be ready', () => drill, 60_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Drill app-only started \(rb-\d+\): open http:\/\/localhost:\d+\/ and play it as captain, SRE and DB owner/,
    );
    const url = /(http:\/\/localhost:\d+\/)/.exec(lines[0]!)![1]!;
    expect(await (await fetch(`${url}healthz`)).json()).toEqual({ ok: true });
    const open = await ready.deps.store.findOpen('drill');
    expect(open).toMatchObject({ drill: true, badVersion: 'v1.2.3' });
    // The console runs in drill mode on the same port, with the drill's routes added to it.
    const api = (await (await fetch(`${url}api/drill`)).json()) as {
      scenarios: { name: string }[];
      open: { id: string; scenario: string };
    };
    expect(api.scenarios.map((s) => s.name)).toEqual(['app-only', 'failed-rollout', 'migration', 'critical-restore']);
    expect(api.open).toEqual({ id: open!.id, scenario: 'app-only' });
    const page = await (await fetch(`${url}drill`)).text();
    expect(page).toContain(
      `Drill <a href="/incidents/${open!.id}">${open!.id}</a> is open (P1: roll the application back)`,
    );
    // The incident page carries the drill banner, as the checklist in Slack does.
    const incidentPage = await (await fetch(`${url}incidents/${open!.id}`)).text();
    expect(incidentPage).toContain(`[DRILL] ${open!.id} · P1 rollback`);
    expect(incidentPage).toContain('class="banner-drill"');
    const refused = await fetch(`${url}api/drill/scenarios/migration`, {
      method: 'POST',
      headers: { origin: url.replace(/\/$/, '') },
    });
    expect(refused.status).toBe(409);
    await actAs(ready, 'captain', 'abort_incident', null, { reason: 'rehearsal cut short' });
    await until('the drill report in the terminal', () => lines.length > 1, 20_000);
    expect(lines[1]).toContain(`${open!.id} aborted`);
    expect(lines[1]).toContain('## Drill report');
    // The console links the ended drill to its report.
    expect(await (await fetch(`${url}incidents/${open!.id}`)).text()).toContain(`href="/drill/report/${open!.id}"`);
    expect(await (await fetch(`${url}drill/report/${open!.id}`)).text()).toContain('## Drill report');
  } finally {
    stop();
    await running;
    await dropTestState(name, name);
  }
}, 120_000);
