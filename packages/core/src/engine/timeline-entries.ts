import type { TransitionEvent } from '../plan/plan-schema.ts';
import type { TimelineEntry } from '../simulate/timeline.ts';
import type { DeferReason, StopReason } from './types.ts';

/**
 * What the audit trail records of a campaign (a `campaign_transitions` row, or the simulator's effect of
 * the same kind), in the one shape both timelines are built from.
 */
export type AuditRecord =
  | { kind: 'enter'; at: Date; from: string | null; to: string; step: number; on: TransitionEvent | null }
  | { kind: 'end'; at: Date; status: 'completed' | 'stopped' | 'cancelled'; reason: StopReason | null }
  | { kind: 'deferred'; at: Date; node: string; until: Date; reason: DeferReason }
  | { kind: 'pause' | 'resume' | 'cancel'; at: Date }
  | { kind: 'plan_update'; at: Date; version: number; node: string | null };

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
      return [{ at, kind: 'transition', from: record.from, to: record.to, on: record.on }, enter];
    }
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
        { at, kind: 'deferred', node: record.node, until: record.until.toISOString(), reason: record.reason },
      ];
    case 'pause':
    case 'resume':
    case 'cancel':
      return [{ at, kind: record.kind }];
    case 'plan_update':
      return [{ at, kind: 'plan_update', version: record.version, node: record.node }];
    default:
      return unhandledRecord(record);
  }
}

function unhandledRecord(record: never): never {
  throw new Error(`no timeline entry for audit record ${JSON.stringify(record)}`);
}
