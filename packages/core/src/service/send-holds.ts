import type { DeferReason } from '../engine/types.ts';
import type { CampaignStore, StoreTransaction } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { CampaignRecord, ScheduledActionRecord } from '../ports/records.ts';
import type { SendingControl } from '../ports/send-holds.ts';
import type { SenderChannel } from '../senders/sender.ts';
import type { ActionRunner } from './action-runner.ts';
import type { EffectApplier } from './effect-applier.ts';
import type { AfterCommit } from './transactions.ts';

/** Why a due send may not go at all for now (held without an end), or null when nothing holds it. */
export type HoldReason = Extract<DeferReason, 'emergency_stop' | 'sender_paused' | 'sender_disabled'>;

/**
 * What holds a send without an end, checked in the claim transaction: the emergency stop first (it holds
 * everything). `senderHold` answers for the campaign's sender of the send's channel (a paused sender:
 * `sender_paused`; a disabled or deleted one: `sender_disabled`), null when it may send.
 */
export async function holdReason(
  tx: StoreTransaction,
  senderHold?: () => Promise<HoldReason | null>,
): Promise<HoldReason | null> {
  const control = await tx.holds.control();
  if (!control.enabled) return 'emergency_stop';
  return senderHold ? senderHold() : null;
}

/**
 * The hold a campaign's sender of `channel` puts on its sends: `sender_disabled` when it is disabled or
 * deleted (its sends wait, never dropped), `sender_paused` when its health paused it, else null (also for
 * the default sender, which has no row).
 */
export async function senderHold(
  tx: StoreTransaction,
  campaign: Pick<CampaignRecord, 'senderIds'>,
  channel: SenderChannel,
): Promise<HoldReason | null> {
  const id = campaign.senderIds[channel];
  if (id === null) return null;
  const sender = await tx.senders.get(id);
  if (!sender?.enabled) return 'sender_disabled';
  return sender.pausedAt !== null ? 'sender_paused' : null;
}

/**
 * Holds a due send: the action stays pending at its due time (so it keeps its place in due order) with no
 * job, and a `deferred` entry with `until` null records it, once per change of reason (a send found held
 * again for the same reason, by the reconcile loop, writes nothing).
 */
export async function holdSend(
  tx: StoreTransaction,
  pending: AfterCommit,
  applier: EffectApplier,
  campaign: CampaignRecord,
  action: ScheduledActionRecord,
  reason: HoldReason,
  now: Date,
): Promise<void> {
  const current = await tx.holds.currentHold(campaign.id, action.id);
  if (current?.reason === reason) return;
  await applier.apply(
    tx,
    pending,
    campaign,
    {
      state: campaign.state,
      effects: [{ type: 'defer', actionId: action.id, node: action.nodeId, at: now, until: null, reason }],
    },
    { trigger: 'send', actionId: action.id },
  );
}

/** How many held sends one release queues at most; the reconcile loop queues any beyond. */
const RELEASE_LIMIT = 10_000;

/**
 * The emergency stop (`POST /v1/admin/sending`, DESIGN section 11): disabling holds every send at its claim
 * (nothing is lost: the actions stay pending); enabling queues the held sends again, oldest due first, and
 * each goes through the claim as any due send does (throttled, moved out of forbidden local times,
 * expired past its `expiresAt`).
 */
export class SendingControls {
  private readonly store: CampaignStore;
  private readonly clock: Clock;
  private readonly runner: ActionRunner;

  constructor(deps: { store: CampaignStore; clock: Clock; runner: ActionRunner }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.runner = deps.runner;
  }

  /** Whether sending is enabled, and since when (null: never changed). */
  get(): Promise<SendingControl> {
    return this.store.transaction((tx) => tx.holds.control());
  }

  /** Enables or disables sending; `since` moves only on a change. Enabling releases every held send. */
  async set(enabled: boolean): Promise<SendingControl> {
    const now = this.clock.now();
    const control = await this.store.transaction((tx) => tx.holds.setControl(enabled, now));
    if (control.enabled) await this.releaseHeld();
    return control;
  }

  /**
   * Queues the sends held without an end (they are pending and overdue), oldest due first; the claim
   * decides what each does. Also what a resumed sender calls. Returns how many were queued.
   */
  releaseHeld(): Promise<number> {
    return this.runner.reconcileOverdue(0, RELEASE_LIMIT);
  }
}
