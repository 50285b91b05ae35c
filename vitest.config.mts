import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/abuse-cpu.test.ts'], sequence: { groupOrder: 0 } } },
      // The event-loop and core-timing test runs alone, after the rest: it measures this server, not its neighbours,
      // and its deliberate CPU load would otherwise slow other files' timing checks.
      { extends: true, test: { name: 'cpu', include: ['test/abuse-cpu.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
