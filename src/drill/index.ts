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
export { startDrill, type Drill, type DrillOptions } from './drill.ts';
export { actAs, applyWorldAction, drillSummary, drillUser, startDrillScenario, DRILL_ACTIONS, type ActOptions, type DrillAction, type DrillOutcome } from './play.ts';
export { SCENARIOS, SCENARIO_NAMES, isScenarioName, type Move, type Scenario, type WorldAction, type ScenarioName } from './scenarios.ts';
export { DRILL_ROLES, DRILL_USERS, type DrillRole } from './drill-config.ts';
export { runDrillMode, type RunDrillOptions } from './run.ts';
export { shouldStartDrill } from './detect.ts';
export { addDrillRoutes } from './drill-routes.ts';
export { currentScenario } from './play.ts';
export type { DrillWorld } from './world.ts';
export { DRILL_BANNER, DRILL_MARK } from '../domain/drill.ts';
export { drillReport, renderDrillReport, type DrillReport } from '../domain/drill-report.ts';
