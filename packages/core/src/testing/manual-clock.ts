import type { Clock } from '../ports/clock.ts';

/** A Clock that moves only when told to: tests and the scenario driver control time. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves to `instant`; time never goes backwards. */
  set(instant: Date): void {
    if (instant.getTime() < this.current) {
      throw new Error(
        `ManualClock cannot go back from ${this.now().toISOString()} to ${instant.toISOString()}`,
      );
    }
    this.current = instant.getTime();
  }

  /** Moves forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.set(new Date(this.current + ms));
  }
}
