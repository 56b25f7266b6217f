/**
 * Drill mode's module API (issue 9): what the console and the coordinator call.
 *
 *   const drill = await startDrill();                                      // world + bot + console (drill mode) on PORT
 *   const { incident } = await startDrillScenario(drill, 'app-only');      // resets the world, opens the drill
 *   await actAs(drill, 'captain', 'approve', 'select_release');            // same flows and role checks as Slack/CLI
 *   applyWorldAction(drill, 'fix-rollout');                                 // failed-rollout's fix (scenario.worldActions)
 *   const { markdown, report } = await drillSummary(drill, incident.id);   // summary + drill report
 *   await drill.stop();
 */

export { DRILL_BANNER, DRILL_MARK } from '../domain/drill.ts';
export { type DrillReport, drillReport, renderDrillReport } from '../domain/drill-report.ts';
export { shouldStartDrill } from './detect.ts';
export { type Drill, type DrillOptions, startDrill } from './drill.ts';
export { DRILL_ROLES, DRILL_USERS, type DrillRole } from './drill-config.ts';
export { addDrillRoutes } from './drill-routes.ts';
export {
  type ActOptions,
  actAs,
  applyWorldAction,
  currentScenario,
  type DrillAction,
  type DrillOutcome,
  drillSummary,
  drillUser,
  startDrillScenario,
} from './play.ts';
export { type RunDrillOptions, runDrillMode } from './run.ts';
export {
  isScenarioName,
  type Move,
  SCENARIO_NAMES,
  SCENARIOS,
  type Scenario,
  type ScenarioName,
  type WorldAction,
} from './scenarios.ts';
export type { DrillWorld } from './world.ts';
