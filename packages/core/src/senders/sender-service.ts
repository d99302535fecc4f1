import type { CampaignStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import { SenderExistsError, SenderInUseError, SenderNotFoundError } from './sender-errors.ts';
import { newSenderFromBody, senderPatchFromBody } from './sender-input.ts';
import { type SenderView, senderView } from './sender-view.ts';

/**
 * The senders API (`/v1/senders`): create, read, list, change and delete senders (DESIGN section 11).
 * Bodies arrive unchecked and are checked here (InvalidSenderError, `invalid_sender`).
 */
export class SenderService {
  private readonly store: CampaignStore;
  private readonly clock: Clock;
  private readonly released: (() => Promise<unknown>) | undefined;

  constructor(deps: {
    store: CampaignStore;
    clock: Clock;
    /**
     * Queues the sends held without an end (SendingControls.releaseHeld), called once an update enabled
     * the sender; absent: the reconcile loop finds them.
     */
    released?: (() => Promise<unknown>) | undefined;
  }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.released = deps.released;
  }

  /** @throws InvalidSenderError; SenderExistsError for a taken id (a deleted sender's too). */
  async create(body: unknown): Promise<SenderView> {
    const at = this.clock.now();
    const sender = newSenderFromBody(body, () => newSenderId(at), at);
    return this.store.transaction(async (tx) => {
      const created = await tx.senders.insert(sender);
      if (!created) throw new SenderExistsError(sender.id);
      return senderView(tx, created, at);
    });
  }

  /** Every sender not deleted, in id order. */
  async list(): Promise<SenderView[]> {
    const at = this.clock.now();
    return this.store.transaction(async (tx) => {
      const views: SenderView[] = [];
      for (const sender of await tx.senders.list()) views.push(await senderView(tx, sender, at));
      return views;
    });
  }

  /** @throws SenderNotFoundError */
  async get(senderId: string): Promise<SenderView> {
    const at = this.clock.now();
    return this.store.transaction(async (tx) => {
      const sender = await tx.senders.get(senderId);
      if (!sender) throw new SenderNotFoundError(senderId);
      return senderView(tx, sender, at);
    });
  }

  /**
   * Changes the fields the body names; `enabled: true` also resumes a sender paused for its health.
   *
   * @throws SenderNotFoundError; InvalidSenderError.
   */
  async update(senderId: string, body: unknown): Promise<SenderView> {
    const at = this.clock.now();
    const view = await this.store.transaction(async (tx) => {
      const current = await tx.senders.lock(senderId);
      if (!current) throw new SenderNotFoundError(senderId);
      const updated = await tx.senders.update(senderId, senderPatchFromBody(body, current), at);
      if (!updated) throw new SenderNotFoundError(senderId);
      return senderView(tx, updated, at);
    });
    // Enabled (or resumed from a health pause): its held sends go now, through the claim as any due send.
    if (view.enabled && view.health.pausedAt === null) await this.released?.();
    return view;
  }

  /**
   * Deletes the sender (softly: its campaigns and messages still name it).
   *
   * @throws SenderNotFoundError; SenderInUseError while it has open campaigns (disable it instead).
   */
  async delete(senderId: string): Promise<void> {
    const at = this.clock.now();
    await this.store.transaction(async (tx) => {
      if (!(await tx.senders.lock(senderId))) throw new SenderNotFoundError(senderId);
      const open = await tx.senders.activeCampaignCount(senderId);
      if (open > 0) throw new SenderInUseError(senderId, open);
      await tx.senders.softDelete(senderId, at);
    });
  }
}

/** `snd_` + the creation time (ms, base 36, sortable) + 10 random base-36 characters. */
function newSenderId(at: Date): string {
  const random = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(10)), (b) =>
    (b % 36).toString(36),
  ).join('');
  return `snd_${at.getTime().toString(36).padStart(9, '0')}${random}`;
}
