import { InMemoryQueue, InMemoryScheduler } from './in-memory-scheduler.ts';
import { ManualClock } from './manual-clock.ts';
import { schedulerContractSuite } from './scheduler-contract.ts';

schedulerContractSuite(
  'in-memory',
  async () => {
    const clock = new ManualClock(new Date('2026-01-05T10:00:00Z'));
    const queue = new InMemoryQueue();
    let scheduler = new InMemoryScheduler(clock, { queue });
    let current = scheduler;
    return {
      scheduler,
      now: () => clock.now(),
      wait: async (ms) => current.advanceTo(new Date(clock.now().getTime() + ms)),
      restart: async () => {
        await current.close();
        scheduler = new InMemoryScheduler(clock, { queue });
        current = scheduler;
        return scheduler;
      },
      dispose: async () => {},
    };
  },
  { maxLatenessMs: 0 },
);
