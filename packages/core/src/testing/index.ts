export { InMemoryQueue, InMemoryScheduler } from './in-memory-scheduler.ts';
export { ManualClock } from './manual-clock.ts';
export {
  clickOrTimeoutPlan,
  noOpenBumpPlan,
  noOpenEndPlan,
  oneSendPlan,
  openClickBumpPlan,
  openedOrNotPlan,
  openOrTimeoutPlan,
  openThenClickPlan,
  seedPlan,
} from './plans.ts';
export { RecordingSmsTransport, RecordingTransport } from './recording-transport.ts';
export { normalizeMessageIds, runScenarioOnService, runScenarioOnSimulator } from './scenario-driver.ts';
export { SCENARIOS, type Scenario } from './scenarios.ts';
export {
  type SchedulerContractOptions,
  type SchedulerHarness,
  schedulerContractSuite,
} from './scheduler-contract.ts';
