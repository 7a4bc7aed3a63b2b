/**
 * The import rules of Backchannel (docs/ARCHITECTURE.md, issue #27). `npm run depcruise`
 * checks apps/ and libs/ against them, with no list of known exceptions: every violation fails.
 *
 * Layers of libs/messaging/src, lowest first. A layer may import itself and any layer below
 * it, never one above. A consequence that travels up goes through a job or an interface the
 * higher layer provides, not an import.
 */
const SRC = '^libs/messaging/src/';

// Each layer as one path regex. Order matters: index 0 is the bottom.
const LAYERS = [
  {
    name: 'foundation',
    // db, redis, config, errors, ids, queue names, times and cursors, text folding (text/),
    // the SSRF-safe fetch (net/), the outbound webhook to the host platform. The module files
    // beside them (core, messaging, queues modules, entities, orm.config) wire every layer and
    // belong to none.
    path: `${SRC}(db/|net/|text/|platform/|(redis|config|errors|ids|queues|iso-time|keyset-cursor)(\\.spec)?\\.ts$)`,
  },
  // Who may see and who may write: named SQL predicates, pure checks, rate limits.
  { name: 'policy', path: `${SRC}(policy/|limits/)` },
  // The append-only audit chain: every staff write (rules, held messages, safety) appends to it.
  { name: 'audit', path: `${SRC}audit/` },
  // How a message looks to one viewer (withheld, unsent, reply quotes): every list, sync and live path renders through it.
  { name: 'views', path: `${SRC}views/` },
  { name: 'accounts', path: `${SRC}accounts/` },
  // The event log sits under conversations (issue #27's picture has it above): every domain
  // that changes what a member sees appends to it, conversations included, and it imports
  // none of them.
  { name: 'events', path: `${SRC}events/` },
  { name: 'conversations', path: `${SRC}conversations/` },
  { name: 'messages', path: `${SRC}messages/` },
  // links, rules, rooms share a level of the picture; inside it links (scanning) sit
  // below rules (which match links) and rules below rooms (questions go through the rules).
  { name: 'links', path: `${SRC}links/` },
  { name: 'rules', path: `${SRC}rules/` },
  { name: 'rooms', path: `${SRC}rooms/` },
  { name: 'safety', path: `${SRC}safety/` },
  // "Your data": a user's data export reads every domain's data of that user (notices
  // included), and account deletion (erasure/) undoes it through every domain's services, so
  // both sit on top.
  { name: 'exports', path: `${SRC}(exports|erasure)/` },
];

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.name}`,
  comment: `${layer.name} is imported by the layers above it and imports none of them: ${LAYERS.slice(i + 1)
    .map((l) => l.name)
    .join(', ')}. Send a consequence upward through a job or an interface the higher layer provides.`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(i + 1).map((l) => l.path) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'No import circle, not even through type-only imports: untangle it, do not hide it behind import().',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-dynamic-import-in-server-or-libs',
      comment: 'An `await import()` in the server is how a circle gets dodged; import statically or invert the dependency.',
      severity: 'error',
      from: { path: '^(libs|apps/api)/' },
      to: { dynamic: true },
    },
    {
      name: 'libs-not-to-apps',
      comment: 'A library never imports an app.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-only-to-libs',
      comment: 'An app imports libraries, never another app.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'client-not-to-server',
      comment: 'The SDK (libs/client) runs in browsers: it never imports the server library.',
      severity: 'error',
      from: { path: '^libs/client/' },
      to: { path: '^libs/messaging/' },
    },
    {
      name: 'not-to-tests',
      comment: 'Production code never imports test support, benchmarks or spec files.',
      severity: 'error',
      // libs/client/tools/generate-types.ts boots the test app to read its OpenAPI document.
      from: { path: '^(apps|libs)/', pathNot: ['\\.(spec|e2e-spec)\\.tsx?$', '^libs/client/tools/'] },
      to: { path: ['^test/', '^bench/', '\\.(spec|e2e-spec)\\.tsx?$'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing package.',
      severity: 'error',
      // the SDK's example imports the built package (libs/client/dist), which exists only after `npm run build:client`
      from: { pathNot: ['^libs/client/examples/'] },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Migrations import nothing of ours; generated client types are large and import nothing.
    exclude: { path: ['(^|/)node_modules/', '^dist/', '^libs/client/dist/', '\\.d\\.ts$', '^libs/messaging/src/migrations/Migration'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    cache: false,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
