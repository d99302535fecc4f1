import type { EngagementEvent, TimeoutEvent, TransitionEvent } from '../plan/plan-schema.ts';
import type { InboundKind } from '../ports/inbound-repository.ts';
import type { TimelineEntry } from '../simulate/timeline.ts';
import type {
  DeferReason,
  EventEffect,
  SkipReason,
  StopReason,
  TimeoutEffect,
  ZeroTimeMove,
} from './types.ts';

/**
 * What the audit trail records of a campaign (a `campaign_transitions` row, a sent message, a recorded
 * event, an executed timeout; or the simulator's effect or step of the same kind), in the one shape both
 * timelines are built from.
 */
export type AuditRecord =
  | {
      kind: 'enter';
      at: Date;
      from: string | null;
      to: string;
      step: number;
      on: TransitionEvent | ZeroTimeMove | null;
      /** The split variant, when `on` is `split`. */
      variant?: string | undefined;
    }
  | { kind: 'skipped'; at: Date; node: string; dueAt: Date; reason: SkipReason }
  | { kind: 'end'; at: Date; status: 'completed' | 'stopped' | 'cancelled'; reason: StopReason | null }
  | { kind: 'deferred'; at: Date; node: string; until: Date | null; reason: DeferReason }
  | { kind: 'pause' | 'resume' | 'cancel'; at: Date }
  | { kind: 'plan_update'; at: Date; version: number; node: string | null }
  | { kind: 'contact_update'; at: Date; fields: string[] }
  /** `at`: when it was sent; `dueAt`: entry time + delay, before quiet hours. */
  | SendRecord
  | EventRecord
  | { kind: 'timeout'; at: Date; node: string; event: TimeoutEvent; effect: TimeoutEffect };

/**
 * A sent message: an email with its `subject` (and `inReplyTo` when threaded), or an SMS with its `text`
 * and `segments`.
 */
export type SendRecord = {
  kind: 'send';
  at: Date;
  node: string;
  message: string;
  dueAt: Date;
} & (
  | { channel?: 'email' | undefined; subject: string; inReplyTo?: string | undefined }
  | { channel: 'sms'; text: string; segments: number }
);

/** An engagement event as the timeline shows it; `id`: the provider's event id, when known. */
export interface EventRecord {
  kind: 'event';
  at: Date;
  type: EngagementEvent;
  message: string | null;
  id?: string | undefined;
  effect: EventEffect;
  /** An inbound message's classification (DESIGN section 14). */
  inbound?: { kind: InboundKind; decidedBy: string } | undefined;
}

/** The timeline entry of an event (see timelineEntriesOf). */
export function eventEntry(record: EventRecord): Extract<TimelineEntry, { kind: 'event' }> {
  return {
    at: record.at.toISOString(),
    kind: 'event',
    type: record.type,
    message: record.message,
    ...(record.id !== undefined ? { id: record.id } : {}),
    effect: record.effect,
    ...(record.inbound !== undefined ? { inbound: record.inbound } : {}),
  };
}

/**
 * The timeline entries of one audit record: the one per-kind table the simulator (through
 * `applyEffect`) and the store's timeline rebuild (KyselyCampaignReader) both map through. An `enter`
 * that moved between nodes on an event or a timeout is preceded by its `transition`.
 */
export function timelineEntriesOf(record: AuditRecord): TimelineEntry[] {
  const at = record.at.toISOString();
  switch (record.kind) {
    case 'enter': {
      const enter: TimelineEntry = { at, kind: 'enter', node: record.to, step: record.step };
      if (record.from === null || record.on === null) return [enter];
      return [
        {
          at,
          kind: 'transition',
          from: record.from,
          to: record.to,
          on: record.on,
          ...(record.variant !== undefined ? { variant: record.variant } : {}),
        },
        enter,
      ];
    }
    case 'skipped':
      return [
        { at, kind: 'skipped', node: record.node, dueAt: record.dueAt.toISOString(), reason: record.reason },
      ];
    case 'end':
      return [
        {
          at,
          kind: 'end',
          status: record.status,
          ...(record.reason !== null ? { reason: record.reason } : {}),
        },
      ];
    case 'deferred':
      return [
        {
          at,
          kind: 'deferred',
          node: record.node,
          until: record.until?.toISOString() ?? null,
          reason: record.reason,
        },
      ];
    case 'pause':
    case 'resume':
    case 'cancel':
      return [{ at, kind: record.kind }];
    case 'plan_update':
      return [{ at, kind: 'plan_update', version: record.version, node: record.node }];
    case 'contact_update':
      return [{ at, kind: 'contact_update', fields: [...record.fields] }];
    case 'send': {
      const base = {
        at,
        kind: 'send' as const,
        node: record.node,
        message: record.message,
        dueAt: record.dueAt.toISOString(),
      };
      if (record.channel === 'sms') {
        return [{ ...base, channel: 'sms', text: record.text, segments: record.segments }];
      }
      return [
        {
          ...base,
          subject: record.subject,
          ...(record.inReplyTo !== undefined ? { inReplyTo: record.inReplyTo } : {}),
        },
      ];
    }
    case 'event':
      return [eventEntry(record)];
    case 'timeout':
      return [{ at, kind: 'timeout', node: record.node, event: record.event, effect: record.effect }];
    default:
      return unhandledRecord(record);
  }
}

function unhandledRecord(record: never): never {
  throw new Error(`no timeline entry for audit record ${JSON.stringify(record)}`);
}
