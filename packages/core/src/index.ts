export * from './engine/engine.ts';
export * from './engine/event-time.ts';
export type * from './engine/types.ts';
export { TERMINAL_STATUSES } from './engine/types.ts';
export * from './errors.ts';
export { planGraph } from './graph/plan-graph.ts';
export * from './input/json-bounds.ts';
export { formatMessageIdHeader, messageIdFromHeader } from './messages/message-id.ts';
export * from './plan/plan-schema.ts';
export * from './plan/validate-plan.ts';
export type * from './ports/campaign-store.ts';
export type { Clock } from './ports/clock.ts';
export type { ExecutionObserver } from './ports/execution-observer.ts';
export type * from './ports/records.ts';
export { UNKNOWN_EVENT_TYPE } from './ports/records.ts';
export type * from './ports/scheduler.ts';
export type * from './ports/transport.ts';
export * from './service/campaign-plan-execution-service.ts';
export { ECHO_FIELD, echoHeaders } from './service/echo-headers.ts';
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
export * from './unsubscribe/unsubscribe-token.ts';
