import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**", "**/fixtures/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Native libraries and child processes: keep parallelism modest on a 2-core machine.
    pool: "forks",
    maxWorkers: 2,
  },
});
