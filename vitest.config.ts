import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "package",
          include: ["test/package/**/*.test.ts"],
          environment: "node",
          // Rebuilding both packages from the source archive takes 2-3 s alone and more while the
          // browser scenarios run beside it on two cores; 5 s timed out here.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "browsers",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
          // One browser at a time: the machine has two cores and the scenarios measure nothing.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "demo",
          include: ["demo/run.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
        },
      },
      {
        test: {
          name: "bench",
          include: ["bench/run.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
        },
      },
    ],
  },
});
