export { KyselyAnalytics } from './analytics/kysely-analytics.ts';
export {
  type DatabaseConfig,
  type DatabaseHandle,
  databaseConfigFromEnv,
  openDatabase,
  pingDatabase,
} from './connect.ts';
export { nullExpiredEventPayloads } from './event-payload-retention.ts';
export { KyselyCampaignReader } from './kysely-campaign-reader.ts';
export {
  KyselyCampaignStore,
  type KyselyCampaignStoreOptions,
  kyselyTransactionOf,
} from './kysely-campaign-store.ts';
export { ENGINE_GAUGE_CAP, type EngineGaugeReading, readEngineGauges } from './kysely-engine-gauges.ts';
export * from './kysely-repositories.ts';
export {
  KyselySenderImapRepository,
  type SenderImapSettingsInput,
  type StoredSenderImap,
} from './kysely-sender-imap.ts';
export { KyselySenderRepository, toSender } from './kysely-senders.ts';
export { migrateToLatest } from './migrate.ts';
export { migrations } from './migrations/index.ts';
export { CorruptStoredPlanError, parseStoredPlan } from './row-mappers.ts';
export type { Database } from './schema.ts';
