import { localDayNumber, localDayStart } from '@campaign/schedule-utils';

/*
 * Senders (DESIGN section 11): a from-identity of one channel with its caps. Operational, not part of
 * any plan: a campaign gets its senders at creation and keeps them.
 */

export type SenderChannel = 'email' | 'sms';

/** The transports a sender of each channel may choose (`smtp` is the email default, `twilio` the SMS one). */
export const SENDER_TRANSPORTS = {
  email: ['smtp', 'sendgrid', 'mailgun', 'postmark', 'ses', 'resend', 'log'],
  sms: ['twilio', 'log'],
} as const satisfies Record<SenderChannel, readonly string[]>;

export type EmailTransportName = (typeof SENDER_TRANSPORTS.email)[number];
export type SmsTransportName = (typeof SENDER_TRANSPORTS.sms)[number];
export type SenderTransportName = EmailTransportName | SmsTransportName;

/** The default transport of a channel when a sender names none. */
export const DEFAULT_SENDER_TRANSPORT: Record<SenderChannel, SenderTransportName> = {
  email: 'smtp',
  sms: 'twilio',
};

export interface SenderCaps {
  /** Messages per local day in the sender's zone; an integer > 0. */
  daily: number;
  /** Messages in any rolling 60 minutes; an integer > 0. */
  hourly?: number | undefined;
  /** ISO 8601 duration that must pass between two sends of the sender (`PT30S`). */
  minGap?: string | undefined;
}

/** The daily cap grows linearly from `start` to `caps.daily` over `days` local days from creation. */
export interface SenderWarmup {
  /** Messages allowed on the sender's first local day; an integer > 0. */
  start: number;
  /** 1-366. */
  days: number;
}

/** The figures that tripped an automatic pause (sender health), as recorded. */
export type SenderHealthFigures = Readonly<Record<string, number>>;

export interface Sender {
  id: string;
  channel: SenderChannel;
  /** Email: `Name <a@b>` or `a@b`; SMS: the E.164 number. */
  from: string;
  /** IANA zone whose local days the daily cap counts. */
  timezone: string;
  caps: SenderCaps;
  warmup: SenderWarmup | null;
  enabled: boolean;
  transport: SenderTransportName;
  createdAt: Date;
  /** Set by an automatic pause (sender health); cleared when the sender is enabled again. */
  pausedAt: Date | null;
  pausedReason: string | null;
  health: SenderHealthFigures | null;
}

/**
 * The local day of `at` in `zone` as instants: `[start, end)`, from its first instant to the next day's
 * first (23 or 25 hours on a DST change).
 */
export function localDayRange(zone: string, at: Date): { start: Date; end: Date } {
  return { start: localDayStart(at, zone), end: localDayStart(at, zone, 1) };
}

/**
 * The sender's daily cap on the local day of `at` (its zone): without a warm-up `caps.daily`; with one,
 * on local day k since the sender's creation (k = 0 on the day it was created),
 * `min(daily, floor(start + (daily - start) * k / days))`.
 */
export function effectiveDailyCap(
  sender: Pick<Sender, 'caps' | 'warmup' | 'timezone' | 'createdAt'>,
  at: Date,
): number {
  const { daily } = sender.caps;
  if (!sender.warmup) return daily;
  const { start, days } = sender.warmup;
  const k = Math.max(
    0,
    localDayNumber(at, sender.timezone) - localDayNumber(sender.createdAt, sender.timezone),
  );
  return Math.min(daily, Math.floor(start + ((daily - start) * k) / days));
}
