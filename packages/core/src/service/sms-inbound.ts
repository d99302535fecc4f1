import type { CampaignStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { RecordEventResult } from './event-intake.ts';

/** Inbound keywords that opt a number out of SMS (DESIGN section 10; any case, trimmed). */
export const SMS_STOP_KEYWORDS: readonly string[] = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
];
/** Inbound keywords that lift a number's SMS opt-out. */
export const SMS_START_KEYWORDS: readonly string[] = ['START', 'UNSTOP'];

/**
 * What an inbound SMS text means: `stop` (an opt-out keyword), `start` (an opt-in keyword) or `null`
 * (an ordinary reply). Only the whole text counts, trimmed and in any case: "stop it" is a reply.
 */
export function smsKeyword(text: string): 'stop' | 'start' | null {
  const word = text.trim().toUpperCase();
  if (SMS_STOP_KEYWORDS.includes(word)) return 'stop';
  if (SMS_START_KEYWORDS.includes(word)) return 'start';
  return null;
}

/** One SMS a contact sent us, as the provider's inbound webhook reports it. */
export interface InboundSmsInput {
  /** The provider (`twilio`); its event ids are unique per provider. */
  provider: string;
  /** The provider's id of the inbound message (Twilio's `MessageSid`): the dedupe key. */
  providerEventId: string;
  /** The contact's number, E.164. */
  from: string;
  /** Our sender's number, E.164. */
  to: string;
  text: string;
  occurredAt: Date;
  payload?: unknown;
}

/**
 * What became of an inbound SMS: an event recorded on the latest SMS sent between the two numbers (as
 * `recordEvent` answers), `unknown_message` when we sent that number nothing from that sender (and, for
 * a STOP, no contact has the number), `resubscribed` for START / UNSTOP with how many contacts' SMS
 * suppression it lifted, or `unsubscribed` for a STOP from a known contact's number we never texted from
 * that sender: the number is suppressed for SMS (`contacts`: how many contacts have it).
 */
export type InboundSmsResult =
  | RecordEventResult
  | { status: 'resubscribed'; contacts: number }
  | { status: 'unsubscribed'; contacts: number };

/**
 * Inbound SMS and carrier opt-outs (DESIGN section 10): a reply is `replied` on the latest SMS sent
 * between the contact's number and the sender's; an opt-out keyword is `unsubscribed` there (which
 * suppresses the number for SMS and stops the campaign), and with no SMS between them still suppresses
 * the number of every contact that has it; START or UNSTOP lifts the number's SMS suppression. Nothing
 * from an unknown number creates a contact.
 */
export class SmsInbound {
  private readonly store: CampaignStore;
  private readonly clock: Clock;
  private readonly recordEvent: (input: Parameters<SmsInboundRecorder>[0]) => Promise<RecordEventResult>;

  constructor(deps: { store: CampaignStore; clock: Clock; recordEvent: SmsInboundRecorder }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.recordEvent = deps.recordEvent;
  }

  async receive(input: InboundSmsInput): Promise<InboundSmsResult> {
    const keyword = smsKeyword(input.text);
    if (keyword === 'start') {
      const now = this.clock.now();
      const contacts = await this.store.transaction((tx) => tx.contacts.unsuppressSms(input.from, now));
      return { status: 'resubscribed', contacts };
    }
    const message = await this.store.transaction((tx) => tx.messages.latestSmsBetween(input.from, input.to));
    if (!message && keyword === 'stop') {
      // A STOP always suppresses the number for SMS (DESIGN section 10), even with no campaign to stop:
      // the contact may text another of our numbers, or one we have not texted yet.
      const now = this.clock.now();
      const contacts = await this.store.transaction((tx) =>
        tx.contacts.suppressSmsByPhone(input.from, 'unsubscribed', now),
      );
      return contacts > 0 ? { status: 'unsubscribed', contacts } : { status: 'unknown_message' };
    }
    if (!message) return { status: 'unknown_message' };
    return this.recordEvent({
      provider: input.provider,
      providerEventId: input.providerEventId,
      messageId: message.id,
      type: keyword === 'stop' ? 'unsubscribed' : 'replied',
      rawType: keyword === 'stop' ? 'inbound_stop' : 'inbound',
      occurredAt: input.occurredAt,
      payload: input.payload ?? null,
    });
  }

  /**
   * The provider refused an SMS because its number opted out at the carrier (Twilio 21610): recorded
   * as an `unsubscribed` event of that message, once (the event id derives from the message), which
   * suppresses the number for SMS and stops the campaign.
   */
  async optedOut(provider: string, messageId: string): Promise<RecordEventResult> {
    return this.recordEvent({
      provider,
      providerEventId: `opted_out:${messageId}`,
      messageId,
      type: 'unsubscribed',
      rawType: 'recipient_opted_out',
      occurredAt: this.clock.now(),
    });
  }
}

/** The event intake's `recordEvent`, as this unit uses it. */
export type SmsInboundRecorder = (input: {
  provider: string;
  providerEventId: string;
  messageId: string;
  type: 'unsubscribed' | 'replied';
  rawType: string;
  occurredAt: Date;
  payload?: unknown;
}) => Promise<RecordEventResult>;
