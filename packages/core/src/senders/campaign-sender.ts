import type { StoreTransaction } from '../ports/campaign-store.ts';
import type { CampaignRecord } from '../ports/records.ts';
import type { OutboundSender } from '../ports/transport.ts';
import type { Sender, SenderChannel } from './sender.ts';

/**
 * The sender a campaign's message of `channel` goes from: the one it got at creation, null when it has
 * none (email: the MAIL_FROM default, without caps). A deleted sender is null too (deletion is refused
 * while the sender has open campaigns, so only a campaign that is over can meet one).
 */
export async function campaignSender(
  tx: StoreTransaction,
  campaign: Pick<CampaignRecord, 'senderIds'>,
  channel: SenderChannel,
): Promise<Sender | null> {
  const id = campaign.senderIds[channel];
  return id === null ? null : tx.senders.get(id);
}

/** The `sender` of a transport request (absent for the default sender). */
export function outboundSender(sender: Sender | null): { sender?: OutboundSender } {
  return sender ? { sender: { id: sender.id, from: sender.from, transport: sender.transport } } : {};
}
