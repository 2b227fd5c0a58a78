// A node:test `test()` that also counts, so a suite can end with `<label>: N passed, M failed`.
import { test, after } from 'node:test';

/** Returns `check(name, fn)`; prints the totals under `label` when the file's tests finish. */
export function counted(label) {
  const totals = { passed: 0, failed: 0 };
  after(() => process.stderr.write(`${typeof label === 'function' ? label() : label}: ${totals.passed} passed, ${totals.failed} failed\n`));
  return (name, fn) =>
    test(name, async () => {
      try {
        await fn();
        totals.passed += 1;
      } catch (e) {
        totals.failed += 1;
        throw e;
      }
    });
}
