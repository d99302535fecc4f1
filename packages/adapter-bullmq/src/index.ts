export { BullmqScheduler, type BullmqSchedulerConfig } from './bullmq-scheduler.ts';
