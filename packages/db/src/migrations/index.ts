import type { Migration } from 'kysely/migration';
import * as initial from './0001-initial.ts';
import * as unknownEvents from './0002-unknown-events.ts';
import * as sendClaims from './0003-send-claims.ts';
import * as readPaths from './0004-read-paths.ts';
import * as idempotencyRequestHash from './0005-idempotency-request-hash.ts';
import * as planV11 from './0006-plan-v1-1.ts';
import * as threading from './0007-threading.ts';
import * as smsSuppression from './0008-sms-suppression.ts';
import * as senders from './0009-senders.ts';
import * as shadowMessages from './0010-shadow-messages.ts';
import * as inbound from './0011-inbound.ts';
import * as customEvents from './0012-custom-events.ts';
import * as senderImap from './0013-sender-imap.ts';
import * as contactsAndLists from './0014-contacts-and-lists.ts';
import * as analytics from './0015-analytics.ts';
import * as messageFacts from './0016-message-facts.ts';
import * as analyticsRollups from './0017-analytics-rollups.ts';
import * as lookupTables from './0018-lookup-tables.ts';
import * as messageIdHeader from './0019-message-id-header.ts';
import * as noGlobalUniqueIds from './0020-no-global-unique-ids.ts';
import * as pendingSends from './0021-pending-sends.ts';

/** Every migration in order. Names are the versions recorded in `kysely_migration`; never rename one. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-unknown-events': unknownEvents,
  '0003-send-claims': sendClaims,
  '0004-read-paths': readPaths,
  '0005-idempotency-request-hash': idempotencyRequestHash,
  '0006-plan-v1-1': planV11,
  '0007-threading': threading,
  '0008-sms-suppression': smsSuppression,
  '0009-senders': senders,
  '0010-shadow-messages': shadowMessages,
  '0011-inbound': inbound,
  '0012-custom-events': customEvents,
  '0013-sender-imap': senderImap,
  '0014-contacts-and-lists': contactsAndLists,
  '0015-analytics': analytics,
  '0016-message-facts': messageFacts,
  '0017-analytics-rollups': analyticsRollups,
  '0018-lookup-tables': lookupTables,
  '0019-message-id-header': messageIdHeader,
  '0020-no-global-unique-ids': noGlobalUniqueIds,
  '0021-pending-sends': pendingSends,
};
