import { DomainError } from '../errors.ts';

/** One thing wrong with a sender body: where (a JSON pointer into the body) and why. */
export interface SenderIssue {
  path: string;
  message: string;
}

/** A sender body the API refuses (HTTP 400 `invalid_sender`), with every issue found. */
export class InvalidSenderError extends DomainError {
  readonly code = 'invalid_sender';
  readonly issues: readonly SenderIssue[];
  constructor(issues: readonly SenderIssue[]) {
    super(`invalid sender: ${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`);
    this.issues = issues;
    this.name = 'InvalidSenderError';
  }
}

/** No sender with that id, or it was deleted (HTTP 404 `not_found`). */
export class SenderNotFoundError extends DomainError {
  readonly code = 'not_found';
  readonly senderId: string;
  constructor(senderId: string) {
    super(`sender ${senderId} does not exist`);
    this.senderId = senderId;
    this.name = 'SenderNotFoundError';
  }
}

/** A sender id that is taken, by a sender now or one deleted (HTTP 409 `sender_exists`). */
export class SenderExistsError extends DomainError {
  readonly code = 'sender_exists';
  readonly senderId: string;
  constructor(senderId: string) {
    super(`sender id ${senderId} is taken (ids of deleted senders stay taken)`);
    this.senderId = senderId;
    this.name = 'SenderExistsError';
  }
}

/** Deleting a sender that still has open campaigns (HTTP 409 `sender_in_use`): disable it instead. */
export class SenderInUseError extends DomainError {
  readonly code = 'sender_in_use';
  readonly senderId: string;
  readonly activeCampaigns: number;
  constructor(senderId: string, activeCampaigns: number) {
    super(
      `sender ${senderId} has ${activeCampaigns} open campaign(s); disable it (PATCH {"enabled": false}) instead, which defers their sends`,
    );
    this.senderId = senderId;
    this.activeCampaigns = activeCampaigns;
    this.name = 'SenderInUseError';
  }
}

/**
 * A campaign that cannot get a sender (HTTP 400): `no_sender` when its plan sends on a channel that has
 * no enabled sender (SMS; email falls back to MAIL_FROM), `unknown_sender` for a `senderIds` entry that
 * names no sender, `sender_channel_mismatch` for one of the other channel or a channel the plan does not
 * use.
 */
export class CampaignSenderError extends DomainError {
  readonly code: 'no_sender' | 'unknown_sender' | 'sender_channel_mismatch';
  constructor(code: CampaignSenderError['code'], message: string) {
    super(message);
    this.code = code;
    this.name = 'CampaignSenderError';
  }
}
