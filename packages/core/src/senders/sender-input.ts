import { checkTimezone, isValidIsoDuration, nominalDurationMs } from '@campaign/schedule-utils';
import { z } from 'zod';
import { isPossiblePhoneNumber } from '../input/phone-numbers.ts';
import { zoneProblem } from '../plan/checks/zones.ts';
import type { NewSender, SenderPatch } from '../ports/sender-repository.ts';
import {
  DEFAULT_SENDER_TRANSPORT,
  SENDER_TRANSPORTS,
  type Sender,
  type SenderCaps,
  type SenderChannel,
  type SenderTransportName,
  type SenderWarmup,
} from './sender.ts';
import { InvalidSenderError, type SenderIssue } from './sender-errors.ts';

/*
 * Sender bodies (`POST /v1/senders`, `PATCH /v1/senders/:id`) checked into what the repository stores.
 * Every problem is reported at once, each with the JSON pointer of the field, as InvalidSenderError
 * (`invalid_sender`).
 */

/** Caps beyond this are not caps (and would not fit the column). */
const MAX_CAP = 1_000_000_000;
const MAX_WARMUP_DAYS = 366;
const MAX_MIN_GAP_MS = 86_400_000;

const cap = z.number().int('must be an integer').positive('must be greater than 0').max(MAX_CAP);
const warmupBody = z.strictObject({
  start: cap.describe('Messages allowed on the first local day.'),
  days: z
    .number()
    .int('must be an integer')
    .positive('must be greater than 0')
    .max(MAX_WARMUP_DAYS, `a warm-up lasts at most ${MAX_WARMUP_DAYS} days`),
});

/** `POST /v1/senders`. */
export const senderBody = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, "_", "." and "-", at most 100')
    .optional()
    .describe('Default: generated, `snd_...`.'),
  channel: z.enum(['email', 'sms']),
  from: z.string().min(1).max(320).describe('Email: "Name <a@b.example>" or "a@b.example"; SMS: E.164.'),
  timezone: z.string().min(1).max(100).describe('IANA zone whose local days the daily cap counts.'),
  caps: z.strictObject({
    daily: cap,
    hourly: cap.optional(),
    minGap: z.string().max(40).optional().describe('ISO 8601 duration between two sends, at most P1D.'),
  }),
  warmup: warmupBody.nullable().optional(),
  enabled: z.boolean().optional(),
  transport: z
    .string()
    .max(40)
    .optional()
    .describe(
      'Email: smtp (default), sendgrid, mailgun, postmark, ses, resend, log; SMS: twilio (default), log.',
    ),
});

/** `PATCH /v1/senders/:id`: any field but `id` and `channel`; `null` clears an optional one. */
export const senderPatchBody = z.strictObject({
  from: z.string().min(1).max(320).optional(),
  timezone: z.string().min(1).max(100).optional(),
  caps: z
    .strictObject({
      daily: cap.optional(),
      hourly: cap.nullable().optional(),
      minGap: z.string().max(40).nullable().optional(),
    })
    .optional(),
  warmup: warmupBody.nullable().optional(),
  enabled: z.boolean().optional().describe('true also resumes a sender paused for its health.'),
  transport: z.string().max(40).optional(),
});

function pointer(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '' : `/${path.map(String).join('/')}`;
}

function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new InvalidSenderError(
    result.error.issues.map((issue) => ({ path: pointer(issue.path), message: issue.message })),
  );
}

const ADDRESS = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\.]+$/;
// A display name with `,`, `;` or `:` must be quoted (unquoted, it would split into several addresses).
const NAMED_ADDRESS = /^(?:"[^"\\]*"|[^<>"@\\,;:]+?)\s*<([^<>]+)>$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;

/** Why `from` is not an identity of the channel; undefined when it is one. */
function fromProblem(channel: SenderChannel, from: string): string | undefined {
  if (channel === 'sms') {
    return E164.test(from) && isPossiblePhoneNumber(from)
      ? undefined
      : `${JSON.stringify(from)} is not a phone number in E.164 form ("+15550001111")`;
  }
  const named = NAMED_ADDRESS.exec(from.trim());
  const address = named ? named[1] : from;
  return address !== undefined && ADDRESS.test(address)
    ? undefined
    : `${JSON.stringify(from)} is not an email address ("Ada <ada@acme.example>" or "ada@acme.example")`;
}

function isTransport(channel: SenderChannel, transport: string): transport is SenderTransportName {
  return (SENDER_TRANSPORTS[channel] as readonly string[]).includes(transport);
}

/** The checks that span fields, on the sender as it would be stored. */
function senderIssues(sender: {
  channel: SenderChannel;
  from: string;
  timezone: string;
  caps: SenderCaps;
  warmup: SenderWarmup | null;
  transport: string;
}): SenderIssue[] {
  const issues: SenderIssue[] = [];
  const from = fromProblem(sender.channel, sender.from);
  if (from) issues.push({ path: '/from', message: from });
  if (!checkTimezone(sender.timezone).valid)
    issues.push({ path: '/timezone', message: zoneProblem(sender.timezone) });
  const { minGap } = sender.caps;
  if (
    minGap !== undefined &&
    !(isValidIsoDuration(minGap, { positive: true }) && nominalDurationMs(minGap) <= MAX_MIN_GAP_MS)
  )
    issues.push({
      path: '/caps/minGap',
      message: `${JSON.stringify(minGap)} is not a positive ISO 8601 duration of at most a day ("PT30S")`,
    });
  if (sender.caps.hourly !== undefined && sender.caps.hourly > sender.caps.daily)
    issues.push({ path: '/caps/hourly', message: 'the hourly cap is above the daily cap' });
  if (sender.warmup && sender.warmup.start > sender.caps.daily)
    issues.push({ path: '/warmup/start', message: 'the warm-up starts above the daily cap' });
  if (!isTransport(sender.channel, sender.transport))
    issues.push({
      path: '/transport',
      message: `${JSON.stringify(sender.transport)} is not a transport of ${sender.channel} senders (${SENDER_TRANSPORTS[sender.channel].join(', ')})`,
    });
  return issues;
}

/**
 * A `POST /v1/senders` body as the sender to store. `newId` makes the id when the body has none;
 * `at` is its creation instant.
 *
 * @throws InvalidSenderError listing every problem.
 */
export function newSenderFromBody(body: unknown, newId: () => string, at: Date): NewSender {
  const input = parsed(senderBody, body);
  const sender: NewSender = {
    id: input.id ?? newId(),
    channel: input.channel,
    from: input.from.trim(),
    timezone: input.timezone,
    caps: {
      daily: input.caps.daily,
      ...(input.caps.hourly !== undefined ? { hourly: input.caps.hourly } : {}),
      ...(input.caps.minGap !== undefined ? { minGap: input.caps.minGap } : {}),
    },
    warmup: input.warmup ?? null,
    enabled: input.enabled ?? true,
    transport: (input.transport ?? DEFAULT_SENDER_TRANSPORT[input.channel]) as SenderTransportName,
    createdAt: at,
  };
  const issues = senderIssues(sender);
  if (issues.length > 0) throw new InvalidSenderError(issues);
  return sender;
}

/**
 * A `PATCH /v1/senders/:id` body as the repository's patch, checked against the sender it changes
 * (the sender as patched must be valid as a whole). `enabled: true` also lifts an automatic pause.
 *
 * @throws InvalidSenderError listing every problem.
 */
export function senderPatchFromBody(body: unknown, current: Sender): SenderPatch {
  const input = parsed(senderPatchBody, body);
  const patch: SenderPatch = {};
  if (input.from !== undefined) patch.from = input.from.trim();
  if (input.timezone !== undefined) patch.timezone = input.timezone;
  if (input.caps !== undefined) {
    const hourly = input.caps.hourly === undefined ? current.caps.hourly : (input.caps.hourly ?? undefined);
    const minGap = input.caps.minGap === undefined ? current.caps.minGap : (input.caps.minGap ?? undefined);
    patch.caps = {
      daily: input.caps.daily ?? current.caps.daily,
      ...(hourly !== undefined ? { hourly } : {}),
      ...(minGap !== undefined ? { minGap } : {}),
    };
  }
  if (input.warmup !== undefined) patch.warmup = input.warmup;
  if (input.transport !== undefined) patch.transport = input.transport as SenderTransportName;
  if (input.enabled !== undefined) patch.enabled = input.enabled;
  if (input.enabled === true) {
    patch.pausedAt = null;
    patch.pausedReason = null;
  }
  const issues = senderIssues({
    channel: current.channel,
    from: patch.from ?? current.from,
    timezone: patch.timezone ?? current.timezone,
    caps: patch.caps ?? current.caps,
    warmup: patch.warmup === undefined ? current.warmup : patch.warmup,
    transport: patch.transport ?? current.transport,
  });
  if (issues.length > 0) throw new InvalidSenderError(issues);
  return patch;
}
