import {
  applyEffects,
  type InMemoryAction,
  type InMemoryCampaign,
  inMemoryCampaign,
} from '../engine/apply-effects.ts';
import {
  actionReadiness,
  activate,
  cancel,
  deferSend,
  findNode,
  initialState,
  onCustomEvent,
  onEvent,
  onSendExecuted,
  onTimeout,
  pause,
  resume,
} from '../engine/engine.ts';
import { EVENT_TIME_TOLERANCE_MS } from '../engine/event-time.ts';
import { decidePlanUpdate } from '../engine/plan-update.ts';
import { eventEntry, timelineEntriesOf } from '../engine/timeline-entries.ts';
import type {
  CampaignDefinition,
  CampaignState,
  CustomEvent,
  Decision,
  EngineContext,
  MessageRef,
  RecordedEvent,
} from '../engine/types.ts';
import { ImplausibleEventTimeError, InvalidCampaignStateError } from '../errors.ts';
import { EMAIL_ONLY_EVENTS } from '../plan/plan-schema.ts';
import { validatePlan } from '../plan/validate-plan.ts';
import { campaignEngagements } from './engagements.ts';
import { type SentEmail, simulatedSend } from './simulated-send.ts';
import {
  type Contact,
  type CustomEventInput,
  type SimulationEvent,
  type SimulationInput,
  simulationContactFacts,
} from './simulation-input.ts';
import type { SimulatedStatus, SimulationResult, TimelineEntry } from './timeline.ts';

export interface SimulationOptions {
  /** Without `contact`, the simulator fills it in from `contact` below (contactFacts). */
  definition: CampaignDefinition;
  contact: Contact;
  /** Activation instant. */
  start: Date;
  /** Engagement events, controls and new plan versions, in any order (sorted by `at`, ties in file order). */
  events: readonly SimulationInput[];
  /** Nothing after this instant is processed. Default: start + 365 days. */
  until?: Date | undefined;
}

/** An input event with its position in the events file (`index`), for naming it in an error. */
interface IndexedInput {
  input: SimulationInput;
  index: number;
}

const DAY_MS = 86_400_000;

/**
 * Runs one campaign on a virtual clock through the same engine functions the database-backed service
 * uses, and returns its timeline. Deterministic: the same inputs give the same output.
 *
 * Ordering: items are processed in time order; at one instant, input events come before due actions
 * (an open at exactly the `within` bound counts, and a timeout due then sees it), and actions run in
 * the order they were scheduled.
 *
 * Throws ImplausibleEventTimeError (naming the event by its index in `events`) for an event that names
 * a `node` whose message was sent more than EVENT_TIME_TOLERANCE_MS after the event's `at`: as the
 * service refuses such an event (`implausible_time`), the simulation must not pretend it happened.
 * The service's other bound (more than that ahead of its clock) has no counterpart: the virtual clock
 * stands at each event's own `at` when the event is applied, so no event is ever ahead of it. An event
 * without `node` concerns the latest message sent before it, so it is never before its send either.
 */
export function simulate(options: SimulationOptions): SimulationResult {
  return new Simulation(options).run();
}

class Simulation {
  private readonly contact: Contact;
  private readonly start: Date;
  private readonly until: Date;
  private readonly inputs: IndexedInput[];
  /** Events that named a node before that node had sent: checked against its message when it is sent. */
  private readonly awaitingMessage: { input: SimulationEvent; index: number }[] = [];
  private state: CampaignState = initialState();
  /** The plan in force, the scheduled actions and the timeline: what the effects change. */
  private readonly campaign: InMemoryCampaign;
  private readonly messages: MessageRef[] = [];
  /** The emails sent so far, latest last: a threaded send replies to the latest. */
  private readonly emails: SentEmail[] = [];
  private readonly recorded: RecordedEvent[] = [];
  private readonly seenEventIds = new Set<string>();
  private readonly customEvents: CustomEvent[] = []; // the contact's (section 14), for `event` conditions
  private pausedEvents: RecordedEvent[] = [];
  /** Timeline entries of events recorded while paused: resume gives them their real effect. */
  private readonly pausedEntries = new Map<string, Extract<TimelineEntry, { kind: 'event' }>>();

  constructor(options: SimulationOptions) {
    const { definition } = options;
    this.campaign = inMemoryCampaign(
      definition.contact ? definition : { ...definition, contact: simulationContactFacts(options.contact) },
    );
    this.contact = options.contact;
    this.start = options.start;
    this.until = options.until ?? new Date(options.start.getTime() + 365 * DAY_MS);
    // Stable sort keeps the file's order for events at the same instant.
    this.inputs = options.events
      .map((input, index) => ({ input, index }))
      .sort((a, b) => a.input.at.getTime() - b.input.at.getTime());
  }

  run(): SimulationResult {
    let activated = false;
    let inputIndex = 0;
    for (;;) {
      const input = this.inputs[inputIndex]?.input;
      const action = this.nextDueAction();
      const candidates = [
        input ? input.at.getTime() : Number.POSITIVE_INFINITY,
        activated ? Number.POSITIVE_INFINITY : this.start.getTime(),
        action ? action.runAt.getTime() : Number.POSITIVE_INFINITY,
      ];
      const next = Math.min(...candidates);
      if (next === Number.POSITIVE_INFINITY || next > this.until.getTime()) break;
      const indexed = this.inputs[inputIndex];
      if (indexed && indexed.input.at.getTime() === next) {
        inputIndex += 1;
        this.handleInput(indexed);
      } else if (!activated) {
        activated = true;
        this.apply(activate(this.def, this.state, this.start, this.context()));
      } else if (action) {
        this.runAction(action);
      }
    }
    return {
      status: this.state.status === 'pending' ? 'active' : (this.state.status as SimulatedStatus),
      currentNodeId: this.state.currentNodeId,
      stopReason: this.state.stopReason,
      timeline: this.campaign.timeline,
    };
  }

  private get def(): CampaignDefinition {
    return this.campaign.definition;
  }

  private get timeline(): TimelineEntry[] {
    return this.campaign.timeline;
  }

  private nextDueAction(): InMemoryAction | undefined {
    if (this.state.status !== 'active') return undefined;
    let best: InMemoryAction | undefined;
    for (const a of this.campaign.actions) {
      if (a.status !== 'pending') continue;
      if (
        !best ||
        a.runAt.getTime() < best.runAt.getTime() ||
        (a.runAt.getTime() === best.runAt.getTime() && a.seq < best.seq)
      ) {
        best = a;
      }
    }
    return best;
  }

  private context(): EngineContext {
    const latestMessage = this.messages.at(-1) ?? null;
    return {
      latestMessage,
      latestMessageEvents: latestMessage ? this.recorded.filter((e) => e.messageId === latestMessage.id) : [],
      engagements: campaignEngagements(
        this.recorded,
        this.messages,
        new Set(this.emails.map((e) => e.message)),
      ),
      customEvents: this.customEvents,
    };
  }

  private handleInput(indexed: IndexedInput): void {
    const { input } = indexed;
    const at = input.at;
    switch (input.type) {
      case 'pause':
      case 'resume':
      case 'cancel':
        this.handleControl(input.type, at);
        return;
      case 'plan':
        this.handlePlan(input.plan, at);
        return;
      case 'custom':
        this.handleCustom(input);
        return;
      default:
        break;
    }
    const message = this.messageFor(input.node, at);
    // An SMS has no opens or clicks: refused as the intake refuses them (channel_event_mismatch), kept
    // nowhere, not even as seen.
    const sms = message !== undefined && !this.emails.some((e) => e.message === message.id);
    if (sms && EMAIL_ONLY_EVENTS.includes(input.type)) return;
    if (input.id !== undefined) {
      if (this.seenEventIds.has(input.id)) return;
      this.seenEventIds.add(input.id);
    }
    if (!message && input.node !== undefined) this.awaitingMessage.push({ input, index: indexed.index });
    const event: RecordedEvent = {
      id: input.id ?? `evt_${this.recorded.length + 1}`,
      messageId: message?.id ?? null,
      type: input.type,
      occurredAt: at,
      machine: input.machine,
      bot: input.bot,
      autoReply: input.autoReply,
    };
    this.recorded.push(event);
    const wasPaused = this.state.status === 'paused';
    const decision = onEvent(this.def, this.state, event, this.context(), at);
    if (wasPaused && decision.effect === 'ignored') this.pausedEvents.push(event);
    const entry = eventEntry({
      kind: 'event',
      at,
      type: event.type,
      message: event.messageId,
      id: input.id,
      effect: decision.effect,
    });
    this.timeline.push(entry);
    if (wasPaused && decision.effect === 'ignored') this.pausedEntries.set(event.id, entry);
    this.apply(decision);
  }

  /** A custom event: kept for `event` conditions; a goal of the plan ends the campaign (no entry of its own). */
  private handleCustom(input: CustomEventInput): void {
    const id = input.id ?? `custom_${this.customEvents.length + 1}`;
    if (this.customEvents.some((e) => e.id === id)) return;
    this.customEvents.push({ id, name: input.name, occurredAt: input.at });
    this.apply(onCustomEvent(this.def, this.state, { id, name: input.name, occurredAt: input.at }, input.at));
  }

  private handleControl(kind: 'pause' | 'resume' | 'cancel', at: Date): void {
    try {
      if (kind === 'pause') {
        this.apply(pause(this.state, at));
      } else if (kind === 'cancel') {
        this.apply(cancel(this.state, at));
      } else {
        const pending = this.campaign.actions
          .filter((a) => a.status === 'pending')
          .map((a) => ({
            id: a.id,
            kind: a.action.kind,
            runAt: a.runAt,
            expiresAt: a.action.kind === 'send' ? a.action.expiresAt : undefined,
          }));
        const pausedEvents = this.pausedEvents;
        this.pausedEvents = [];
        const decision = resume(this.def, this.state, at, this.context(), pausedEvents, pending);
        for (const { eventId, effect } of decision.replayed) {
          const entry = this.pausedEntries.get(eventId);
          if (entry) entry.effect = effect;
        }
        this.pausedEntries.clear();
        this.apply(decision);
      }
    } catch (error) {
      // A control the status does not allow (pause a completed campaign) changes nothing, as the API's 409.
      if (!(error instanceof InvalidCampaignStateError)) throw error;
    }
  }

  /**
   * Rule 9: a new plan, validated like any plan (for this contact), replaces the one in force if the
   * engine accepts it. Refused (invalid, or the engine's refusal): a `plan_update` entry with `refused`
   * and the reason, and nothing changes, as the API answers 422 or 409 and changes nothing.
   */
  private handlePlan(input: unknown, at: Date): void {
    const refused = (reason: string) =>
      this.timeline.push({ at: at.toISOString(), kind: 'plan_update', refused: true, reason });
    const validation = validatePlan(input, {
      contact: this.contact,
      contactTimezone: this.contact.timezone ?? null,
    });
    if (!validation.valid || !validation.plan) {
      const errors = validation.issues.filter((i) => i.severity === 'error');
      refused(`invalid_plan: ${errors.map((i) => `${i.path || '/'} ${i.code}: ${i.message}`).join('; ')}`);
      return;
    }
    const decision = decidePlanUpdate(
      this.def,
      this.state,
      validation.plan,
      this.campaign.planVersion + 1,
      at,
    );
    if (!decision.accepted) {
      refused(`${decision.code}: ${decision.reason}`);
      return;
    }
    this.apply(decision);
  }

  /** The message an input event concerns: the latest sent before it, of `node` when given. */
  private messageFor(node: string | undefined, at: Date): MessageRef | undefined {
    for (let i = this.messages.length - 1; i >= 0; i -= 1) {
      const m = this.messages[i];
      if (m && m.sentAt.getTime() <= at.getTime() && (node === undefined || m.nodeId === node)) return m;
    }
    return undefined;
  }

  /** Events that named this message's node before it was sent: more than the tolerance before is implausible. */
  private checkAwaitingMessage(message: MessageRef): void {
    for (const { input, index } of this.awaitingMessage) {
      if (input.node !== message.nodeId) continue;
      if (input.at.getTime() >= message.sentAt.getTime() - EVENT_TIME_TOLERANCE_MS) continue;
      const name = input.id !== undefined ? ` (id ${JSON.stringify(input.id)})` : '';
      throw new ImplausibleEventTimeError(
        `/${index}`,
        input.id ?? null,
        `the "${input.type}" event${name} at ${input.at.toISOString()} names node "${message.nodeId}", whose message was sent at ${message.sentAt.toISOString()}; an event may be dated at most ${EVENT_TIME_TOLERANCE_MS / 60_000} minutes before its message was sent (the service stores such an event nowhere: implausible_time). Fix its "at", or its "node" if it concerns another message`,
      );
    }
    const rest = this.awaitingMessage.filter(({ input }) => input.node !== message.nodeId);
    this.awaitingMessage.length = 0;
    this.awaitingMessage.push(...rest);
  }

  private runAction(entry: InMemoryAction): void {
    const { action } = entry;
    const at = entry.runAt;
    entry.status = 'done';
    if (action.kind === 'send') {
      if (actionReadiness(this.state, action) !== 'run') return;
      const deferral = deferSend(
        this.def,
        this.state,
        { id: entry.id, nodeId: action.nodeId, dueAt: action.dueAt, expiresAt: action.expiresAt },
        at,
      );
      if (deferral) {
        // Deferred: pending again, at `until`; expired: `skip` marks it skipped.
        entry.status = 'pending';
        this.apply(deferral);
        return;
      }
      const node = findNode(this.def, action.nodeId);
      if (node.action !== 'send') return;
      const message: MessageRef = {
        id: `msg_${this.messages.length + 1}`,
        nodeId: node.id,
        step: action.step,
        sentAt: at,
      };
      const record = simulatedSend(
        node,
        this.contact,
        { at, message: message.id, dueAt: action.dueAt },
        this.emails.at(-1) ?? null,
      );
      this.messages.push(message);
      if (record.channel !== 'sms') this.emails.push({ message: message.id, subject: record.subject });
      this.checkAwaitingMessage(message);
      this.timeline.push(...timelineEntriesOf(record));
      this.apply(onSendExecuted(this.def, this.state, at));
      return;
    }
    const decision = onTimeout(this.def, this.state, action, this.context(), at);
    if (decision.effect === 'deferred') {
      entry.status = 'pending';
      return;
    }
    this.timeline.push(
      ...timelineEntriesOf({
        kind: 'timeout',
        at,
        node: action.nodeId,
        event: action.event,
        effect: decision.effect,
      }),
    );
    this.apply(decision);
  }

  private apply(decision: Decision): void {
    this.state = decision.state;
    applyEffects(this.campaign, decision.effects);
  }
}
