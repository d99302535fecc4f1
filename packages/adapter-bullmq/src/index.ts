export {
  type BullmqClusterConnection,
  BullmqScheduler,
  type BullmqSchedulerConfig,
  type BullmqWorkerSettings,
} from './bullmq-scheduler.ts';
export { shardOf, shardPrefix } from './shard.ts';
