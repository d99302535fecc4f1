/*
 * The public surface of @campaign/core: what the apps, the adapters and an embedding host use. The engine,
 * plan, input and template modules are exported by name, so their internals (decisions and effects, zod
 * node schemas, template parsing) stay inside core and can change without breaking a caller; the ports,
 * the domain errors and the timeline shapes are public whole.
 */
export * from './analytics/index.ts';
export { type AuditRecord, decisiveEvents, timelineEntriesOf } from './engine/engine.ts';
export { EVENT_TIME_TOLERANCE_MS } from './engine/event-time.ts';
export type {
  CampaignDefinition,
  CampaignState,
  CampaignStatus,
  ContactFacts,
  CustomEventFact,
  DeferReason,
  GoalReason,
  MessageRef,
  RecordedEvent,
  SkipReason,
  StopReason,
  ZeroTimeMove,
} from './engine/types.ts';
export { TERMINAL_STATUSES } from './engine/types.ts';
// Every domain error is public: callers map them by class or by their stable `code`.
export * from './errors.ts';
export { planGraph } from './graph/plan-graph.ts';
export { type ApiEventBatchResult, apiEventItemSchema, recordApiEventBatch } from './input/api-events.ts';
export { type JsonBoundsOptions, type JsonFault, jsonFaults, MAX_JSON_DEPTH } from './input/json-bounds.ts';
export { formatMessageIdHeader, legacyMessageIdHeader, messageIdFromHeader } from './messages/message-id.ts';
export { formatRoutedId, parseRoutedId, ROUTED_ID_PATTERN, type RoutedId } from './messages/routed-id.ts';
export type { JsonPatchOperation } from './plan/plan-issues.ts';
export {
  DEFAULT_EXIT_ON,
  ENGAGEMENT_EVENTS,
  type EndNode,
  type EngagementEvent,
  GOAL_NAME_PATTERN,
  isEngagementEvent,
  isTimeoutEvent,
  type Plan,
  type PlanNode,
  planJsonSchema,
  planSchema,
  type QuietHours,
  type SendNode,
  SUPPRESSING_EVENTS,
  TIMEOUT_EVENTS,
  type TimeoutEvent,
  type Transition,
  type TransitionEvent,
  type WaitNode,
} from './plan/plan-schema.ts';
export {
  type AppliedFix,
  type PlanRepairOptions,
  type PlanRepairResult,
  repairPlan,
} from './plan/repair/repair-plan.ts';
export {
  assertValidPlan,
  PLAN_ISSUE_CODES,
  type PlanIssue,
  type PlanIssueCode,
  type PlanIssueSeverity,
  PlanValidationError,
  type PlanValidationOptions,
  type PlanValidationResult,
  sendTimeIssues,
  validatePlan,
  WARNING_CODES,
} from './plan/validate-plan.ts';
export type * from './ports/campaign-store.ts';
export type { Clock } from './ports/clock.ts';
export type * from './ports/contact-admin.ts';
export type * from './ports/custom-event-repository.ts';
export type { ExecutionObserver } from './ports/execution-observer.ts';
export type * from './ports/inbound-repository.ts';
export type * from './ports/records.ts';
export { UNKNOWN_EVENT_TYPE } from './ports/records.ts';
export type * from './ports/scheduler.ts';
export type * from './ports/send-holds.ts';
export type * from './ports/sender-repository.ts';
export type * from './ports/throttle-usage.ts';
export type * from './ports/transport.ts';
export { TransportError, transportErrorKind } from './ports/transport.ts';
export { planChannels, type RequestedSenderIds } from './senders/assign-senders.ts';
export * from './senders/sender.ts';
export * from './senders/sender-errors.ts';
export { senderBody, senderPatchBody } from './senders/sender-input.ts';
export { SenderService } from './senders/sender-service.ts';
export { HEALTH_WINDOW_MESSAGES, type SenderView } from './senders/sender-view.ts';
export type {
  ContactFrequencyCap,
  SenderUsage,
  ThrottleDecision,
  ThrottledSender,
  ThrottleInput,
  ThrottleReason,
} from './senders/throttle.ts';
export {
  InvalidContactFrequencyCapError,
  parseContactFrequencyCap,
  throttleDecision,
} from './senders/throttle.ts';
export * from './service/campaign-plan-execution-service.ts';
export { contactFacts, InvalidContactError } from './service/contact-input.ts';
export type { CustomEventInput, RecordCustomEventResult } from './service/custom-event-intake.ts';
export { ECHO_FIELD, echoHeaders } from './service/echo-headers.ts';
export type { Contact, SimulationEvent } from './simulate/simulation-input.ts';
export {
  contactSchema,
  DEFAULT_CONTACT,
  simulationContactFacts,
  simulationEventSchema,
  simulationEventsSchema,
} from './simulate/simulation-input.ts';
export { type SimulationOptions, simulate } from './simulate/simulator.ts';
export type * from './simulate/timeline.ts';
export { renderSms, type SmsSegmentCount, smsSegments } from './template/sms.ts';
export { MissingVariableError, TemplateSyntaxError } from './template/template-errors.ts';
export { signUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe/unsubscribe-token.ts';
