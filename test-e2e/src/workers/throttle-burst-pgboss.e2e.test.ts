import { throttleBurstSuite } from '../support/throttle-burst.ts';

// A 1,000-campaign burst behind a 50 ms min gap through real workers on pg-boss (see the suite).
throttleBurstSuite('pgboss');
