export {
  BullmqScheduler,
  type BullmqSchedulerConfig,
  type BullmqWorkerSettings,
} from './bullmq-scheduler.ts';
