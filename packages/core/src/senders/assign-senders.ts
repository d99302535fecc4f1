import type { Plan } from '../plan/plan-schema.ts';
import type { StoreTransaction } from '../ports/campaign-store.ts';
import type { CampaignSenderIds } from '../ports/records.ts';
import { effectiveDailyCap, localDayRange, type Sender, type SenderChannel } from './sender.ts';
import { CampaignSenderError } from './sender-errors.ts';

/** `senderIds` of a campaign request: the sender to use per channel, each optional. */
export interface RequestedSenderIds {
  email?: string | undefined;
  sms?: string | undefined;
}

export interface SenderAssignmentOptions {
  /**
   * True: a plan that sends SMS needs an SMS sender (`no_sender` without one). False (default, an
   * embedding host): an SMS without a sender goes from the SMS transport's default number.
   */
  smsSenderRequired?: boolean | undefined;
}

/** The channels a plan sends on. */
export function planChannels(plan: Plan): Set<SenderChannel> {
  const channels = new Set<SenderChannel>();
  for (const node of plan.nodes)
    if (node.action === 'send') channels.add(node.channel === 'sms' ? 'sms' : 'email');
  return channels;
}

/**
 * The senders a new campaign gets (DESIGN section 11), one per channel its plan uses: the one the
 * request names, else the least-loaded enabled sender of the channel, else none (email: the MAIL_FROM
 * default without caps; SMS: `no_sender` when `smsSenderRequired`).
 *
 * @throws CampaignSenderError `unknown_sender` (no such sender), `sender_channel_mismatch` (a sender of
 *   the other channel), `no_sender`.
 */
export async function assignSenders(
  tx: StoreTransaction,
  plan: Plan,
  requested: RequestedSenderIds | undefined,
  at: Date,
  options: SenderAssignmentOptions = {},
): Promise<CampaignSenderIds> {
  const channels = planChannels(plan);
  const assigned: CampaignSenderIds = { email: null, sms: null };
  for (const channel of ['email', 'sms'] as const) {
    const id = requested?.[channel];
    if (id !== undefined) {
      const sender = await tx.senders.get(id);
      if (!sender) throw new CampaignSenderError('unknown_sender', `senderIds.${channel}: no sender ${id}`);
      if (sender.channel !== channel)
        throw new CampaignSenderError(
          'sender_channel_mismatch',
          `senderIds.${channel}: sender ${id} is a ${sender.channel} sender`,
        );
      assigned[channel] = sender.id;
    } else if (channels.has(channel)) {
      assigned[channel] = (await leastLoaded(tx, channel, at))?.id ?? null;
    }
  }
  if (channels.has('sms') && assigned.sms === null && options.smsSenderRequired)
    throw new CampaignSenderError(
      'no_sender',
      'the plan sends SMS and there is no enabled SMS sender: create one (POST /v1/senders) or name one in senderIds.sms',
    );
  return assigned;
}

/**
 * The enabled sender of the channel with the lowest load, (messages claimed today + sends due today) /
 * effective daily cap, "today" being the sender's local day of `at`; ties go to the lowest id. A sender
 * paused for its health is passed over while another can take the campaign.
 */
export async function leastLoaded(
  tx: StoreTransaction,
  channel: SenderChannel,
  at: Date,
): Promise<Sender | null> {
  const enabled = (await tx.senders.list(channel)).filter((s) => s.enabled);
  const candidates = enabled.some((s) => s.pausedAt === null)
    ? enabled.filter((s) => s.pausedAt === null)
    : enabled;
  let best: { sender: Sender; load: number } | null = null;
  // list() is in id order, so keeping the first of equal loads breaks ties by id.
  for (const sender of candidates) {
    const { start, end } = localDayRange(sender.timezone, at);
    const used =
      (await tx.senders.countSends(sender.id, start, end)) +
      (await tx.senders.countDue(sender.id, start, end));
    const load = used / effectiveDailyCap(sender, at);
    if (best === null || load < best.load) best = { sender, load };
  }
  return best?.sender ?? null;
}
