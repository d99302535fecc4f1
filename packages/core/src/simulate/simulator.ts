import {
  actionReadiness,
  activate,
  cancel,
  deferSend,
  findNode,
  initialState,
  onEvent,
  onSendExecuted,
  onTimeout,
  pause,
  resume,
} from '../engine/engine.ts';
import { EVENT_TIME_TOLERANCE_MS } from '../engine/event-time.ts';
import type {
  CampaignDefinition,
  CampaignState,
  Decision,
  Effect,
  EngineContext,
  MessageRef,
  PlannedAction,
  RecordedEvent,
} from '../engine/types.ts';
import { ImplausibleEventTimeError, InvalidCampaignStateError } from '../errors.ts';
import { renderMessage } from '../template/template.ts';
import type { Contact, SimulationEvent } from './simulation-input.ts';
import type { SimulatedStatus, SimulationResult, TimelineEntry } from './timeline.ts';

export interface SimulationOptions {
  definition: CampaignDefinition;
  contact: Contact;
  /** Activation instant. */
  start: Date;
  events: readonly SimulationEvent[];
  /** Nothing after this instant is processed. Default: start + 365 days. */
  until?: Date | undefined;
}

/** An input event with its position in the events file (`index`), for naming it in an error. */
interface IndexedInput {
  input: SimulationEvent;
  index: number;
}

const DAY_MS = 86_400_000;

interface SimAction {
  id: string;
  seq: number;
  action: PlannedAction;
  runAt: Date;
  status: 'pending' | 'done' | 'cancelled';
}

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
  private readonly def: CampaignDefinition;
  private readonly contact: Contact;
  private readonly start: Date;
  private readonly until: Date;
  private readonly inputs: IndexedInput[];
  /** Events that named a node before that node had sent: checked against its message when it is sent. */
  private readonly awaitingMessage: IndexedInput[] = [];
  private state: CampaignState = initialState();
  private readonly actions: SimAction[] = [];
  private readonly messages: MessageRef[] = [];
  private readonly recorded: RecordedEvent[] = [];
  private readonly seenEventIds = new Set<string>();
  private pausedEvents: RecordedEvent[] = [];
  /** Timeline entries of events recorded while paused: resume gives them their real effect. */
  private readonly pausedEntries = new Map<string, Extract<TimelineEntry, { kind: 'event' }>>();
  private readonly timeline: TimelineEntry[] = [];
  private seq = 0;

  constructor(options: SimulationOptions) {
    this.def = options.definition;
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
      timeline: this.timeline,
    };
  }

  private nextDueAction(): SimAction | undefined {
    if (this.state.status !== 'active') return undefined;
    let best: SimAction | undefined;
    for (const a of this.actions) {
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
      default:
        break;
    }
    if (input.id !== undefined) {
      if (this.seenEventIds.has(input.id)) return;
      this.seenEventIds.add(input.id);
    }
    const message = this.messageFor(input.node, at);
    if (!message && input.node !== undefined) this.awaitingMessage.push(indexed);
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
    const entry: Extract<TimelineEntry, { kind: 'event' }> = {
      at: at.toISOString(),
      kind: 'event',
      type: event.type,
      message: event.messageId,
      ...(input.id !== undefined ? { id: input.id } : {}),
      effect: decision.effect,
    };
    this.timeline.push(entry);
    if (wasPaused && decision.effect === 'ignored') this.pausedEntries.set(event.id, entry);
    this.apply(decision);
  }

  private handleControl(kind: 'pause' | 'resume' | 'cancel', at: Date): void {
    try {
      if (kind === 'pause') {
        this.apply(pause(this.state, at));
      } else if (kind === 'cancel') {
        this.apply(cancel(this.state, at));
      } else {
        const pending = this.actions
          .filter((a) => a.status === 'pending')
          .map((a) => ({ id: a.id, kind: a.action.kind, runAt: a.runAt }));
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

  private runAction(entry: SimAction): void {
    const { action } = entry;
    const at = entry.runAt;
    entry.status = 'done';
    if (action.kind === 'send') {
      if (actionReadiness(this.state, action) !== 'run') return;
      const deferral = deferSend(this.def, this.state, { id: entry.id, nodeId: action.nodeId }, at);
      if (deferral) {
        entry.status = 'pending';
        this.apply(deferral);
        return;
      }
      const node = findNode(this.def, action.nodeId);
      if (node.action !== 'send') return;
      const rendered = renderMessage(node, this.contact);
      const message: MessageRef = {
        id: `msg_${this.messages.length + 1}`,
        nodeId: node.id,
        step: action.step,
        sentAt: at,
      };
      this.messages.push(message);
      this.checkAwaitingMessage(message);
      this.timeline.push({
        at: at.toISOString(),
        kind: 'send',
        node: node.id,
        message: message.id,
        dueAt: action.dueAt.toISOString(),
        subject: rendered.subject,
      });
      this.apply(onSendExecuted(this.def, this.state, at));
      return;
    }
    const decision = onTimeout(this.def, this.state, action, this.context(), at);
    if (decision.effect === 'deferred') {
      entry.status = 'pending';
      return;
    }
    this.timeline.push({
      at: at.toISOString(),
      kind: 'timeout',
      node: action.nodeId,
      event: action.event,
      effect: decision.effect,
    });
    this.apply(decision);
  }

  private apply(decision: Decision): void {
    this.state = decision.state;
    for (const effect of decision.effects) this.applyEffect(effect);
  }

  private applyEffect(effect: Effect): void {
    switch (effect.type) {
      case 'enter':
        if (effect.from !== null && effect.on !== null) {
          this.timeline.push({
            at: effect.at.toISOString(),
            kind: 'transition',
            from: effect.from,
            to: effect.to,
            on: effect.on,
          });
        }
        this.timeline.push({
          at: effect.at.toISOString(),
          kind: 'enter',
          node: effect.to,
          step: effect.step,
        });
        return;
      case 'schedule':
        this.seq += 1;
        this.actions.push({
          id: `act_${this.seq}`,
          seq: this.seq,
          action: effect.action,
          runAt: effect.action.runAt,
          status: 'pending',
        });
        return;
      case 'cancel_pending':
        for (const a of this.actions) if (a.status === 'pending') a.status = 'cancelled';
        return;
      case 'reschedule': {
        const a = this.actions.find((x) => x.id === effect.actionId);
        if (a) a.runAt = effect.runAt;
        return;
      }
      case 'defer': {
        const a = this.actions.find((x) => x.id === effect.actionId);
        if (a) a.runAt = effect.until;
        this.timeline.push({
          at: effect.at.toISOString(),
          kind: 'deferred',
          node: effect.node,
          until: effect.until.toISOString(),
          reason: effect.reason,
        });
        return;
      }
      case 'pause':
      case 'resume':
      case 'cancel':
        this.timeline.push({ at: effect.at.toISOString(), kind: effect.type });
        return;
      case 'end':
        this.timeline.push({
          at: effect.at.toISOString(),
          kind: 'end',
          status: effect.status,
          ...(effect.reason !== null ? { reason: effect.reason } : {}),
        });
        return;
      case 'suppress_contact':
        // One campaign here; the database-backed service stops the contact's other campaigns.
        return;
    }
  }
}
