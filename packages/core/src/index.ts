export * from './engine/engine.ts';
export type * from './engine/types.ts';
export { TERMINAL_STATUSES } from './engine/types.ts';
export * from './errors.ts';
export { planGraph } from './graph/plan-graph.ts';
export * from './plan/plan-schema.ts';
export * from './plan/validate-plan.ts';
export type { Clock } from './ports/clock.ts';
export type { Contact, SimulationEvent } from './simulate/simulation-input.ts';
export {
  contactSchema,
  DEFAULT_CONTACT,
  simulationEventSchema,
  simulationEventsSchema,
} from './simulate/simulation-input.ts';
export { type SimulationOptions, simulate } from './simulate/simulator.ts';
export type * from './simulate/timeline.ts';
export * from './template/template.ts';
export * from './template/template-errors.ts';
