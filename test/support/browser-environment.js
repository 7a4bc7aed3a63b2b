/**
 * The browser project's test environment: Node's, plus `globalThis.testFailed`, true from a
 * test's first failed assertion or thrown error until the next test starts, so an afterEach
 * can save screenshots of a failed test only (test/support/screenshots.ts).
 */
const { TestEnvironment } = require('jest-environment-node');

class BrowserTestEnvironment extends TestEnvironment {
  handleTestEvent(event) {
    if (event.name === 'test_start') this.global.testFailed = false;
    else if (event.name === 'test_fn_failure') this.global.testFailed = true;
  }
}

module.exports = BrowserTestEnvironment;
