import { InvalidTimelineCursorError } from '../errors.ts';
import type { TimelinePosition } from '../ports/campaign-store.ts';

/*
 * A timeline cursor is opaque to clients: base64url of `<campaign id>.<seq>.<index>`. It names its
 * campaign, so a cursor passed to another campaign's timeline is refused instead of silently skipping
 * entries, and it is decoded strictly (one spelling per position), like the unsubscribe tokens.
 */

const POSITION =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(0|[1-9][0-9]{0,18})\.(0|[1-9][0-9]?)$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;
const MAX_SEQ = 2n ** 63n - 1n;

export function encodeTimelineCursor(campaignId: string, position: TimelinePosition): string {
  return Buffer.from(`${campaignId.toLowerCase()}.${position.seq}.${position.index}`, 'utf8').toString(
    'base64url',
  );
}

/** The position a cursor of this campaign's timeline names; InvalidTimelineCursorError otherwise. */
export function decodeTimelineCursor(campaignId: string, cursor: string): TimelinePosition {
  if (!BASE64URL.test(cursor)) throw new InvalidTimelineCursorError('it is not base64url');
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(text, 'utf8').toString('base64url') !== cursor) {
    throw new InvalidTimelineCursorError('it is not base64url');
  }
  const match = POSITION.exec(text);
  if (!match || BigInt(match[2] as string) > MAX_SEQ) {
    throw new InvalidTimelineCursorError('it names no timeline position');
  }
  if (match[1] !== campaignId.toLowerCase()) {
    throw new InvalidTimelineCursorError('it belongs to another campaign');
  }
  return { seq: match[2] as string, index: Number(match[3]) };
}
