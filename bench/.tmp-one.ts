import { benchResponderLoop } from '/work/wt-autopilot/bench/responder-loop.ts';
import { printTable } from '/work/wt-autopilot/bench/table.ts';
for (const t of await benchResponderLoop(Number(process.env.RUNS ?? 1))) printTable(t);
process.exit(0);
