// One of the e2e groups: its share of test/e2e/*.e2e-spec.ts in one module registry (test/support/e2e-groups.js).
require('../../support/e2e-groups').runGroup(__filename);
