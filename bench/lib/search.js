'use strict';
/**
 * The search phase (issue #16): 1,000,000 messages loaded in bulk with SQL (generate_series;
 * the API would take hours), spread over many conversations of a few members each, words
 * drawn from a Zipf-like vocabulary so some words are everywhere and most are rare; then
 * GET /v1/search through the running app (auth, the service, the prepared SQL) as one user
 * who is an active member of BENCH_SEARCH_MINE conversations (some joined late, so history
 * visibility is in play), with common, medium, rare, two-word and absent queries.
 * Reports p50/p99 of a search (target p99 ≤ 50 ms), the load and index build times, and the
 * plan PostgreSQL chose.
 *
 *   BENCH_SEARCH_MESSAGES (1000000)   messages loaded
 *   BENCH_SEARCH_CONVERSATIONS (20000) conversations they are spread over
 *   BENCH_SEARCH_MINE (200)           conversations the searching user is active in
 *   BENCH_SEARCH_QUERIES (600)        searches measured (after 50 unmeasured)
 */
const { performance } = require('node:perf_hooks');
const { Samples } = require('./stats');

const num = (name, def) => (process.env[name] ? Number(process.env[name]) : def);
const CFG = {
  messages: num('BENCH_SEARCH_MESSAGES', 1_000_000),
  conversations: num('BENCH_SEARCH_CONVERSATIONS', 20_000),
  mine: num('BENCH_SEARCH_MINE', 200),
  queries: num('BENCH_SEARCH_QUERIES', 600),
  users: 2000,
  vocabulary: 5000,
};
const TARGET_P99_MS = 50;

/** A pronounceable pseudo-word per rank (deterministic), so queries can name words by frequency. */
function word(rank) {
  const c = 'bcdfghjklmnprstvz';
  const v = 'aeiou';
  let n = rank + 7;
  let w = '';
  for (let i = 0; i < 3 || n > 0; i++) {
    w += c[n % c.length] + v[Math.floor(n / c.length) % v.length];
    n = Math.floor(n / (c.length * v.length));
  }
  return w;
}

/** Loads the corpus; returns timings. `searcherId`: the user whose searches are measured. */
async function loadCorpus(admin, searcherId, log) {
  const vocab = Array.from({ length: CFG.vocabulary }, (_, i) => word(i));
  const perConv = Math.ceil(CFG.messages / CFG.conversations);
  const t0 = performance.now();
  await admin.query(`SET maintenance_work_mem = '256MB'`);
  // Bulk load without the search index, then build it once (as a migration on a live table would).
  const [{ def }] = (await admin.query(`SELECT pg_get_indexdef('message_search_idx'::regclass) AS def`)).rows;
  await admin.query('DROP INDEX message_search_idx');
  await admin.query(
    `INSERT INTO app_user (id, handle, display_name, password_hash)
     SELECT gen_random_uuid(), 'sbench_' || g, 'Search bench ' || g, 'x' FROM generate_series(1, $1::int) g`,
    [CFG.users],
  );
  await admin.query(`INSERT INTO user_cursor (user_id) SELECT id FROM app_user WHERE handle LIKE 'sbench\\_%' ON CONFLICT DO NOTHING`);
  await admin.query(
    `CREATE TEMP TABLE sb_users AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM app_user WHERE handle LIKE 'sbench\\_%'`,
  );
  // Conversations of two or three members (a third in every fourth), the searcher in the first `mine`.
  await admin.query(
    `CREATE TEMP TABLE sb_conv AS
     SELECT g AS n, gen_random_uuid() AS id,
            (SELECT id FROM sb_users WHERE n = 1 + (g * 7) % $2) AS a,
            (SELECT id FROM sb_users WHERE n = 1 + (g * 13 + 1) % $2) AS b,
            CASE WHEN g % 4 = 0 THEN (SELECT id FROM sb_users WHERE n = 1 + (g * 17 + 3) % $2) END AS c
       FROM generate_series(1, $1::int) g`,
    [CFG.conversations, CFG.users],
  );
  await admin.query(
    `INSERT INTO conversation (id, kind, title, creator_id, last_seq, last_activity_at, created_at)
     SELECT id, 'group', 'bench ' || n, a, $1, now(), now() - interval '30 days' FROM sb_conv`,
    [perConv],
  );
  await admin.query(
    `INSERT INTO conversation_member (conversation_id, user_id, state, visible_from_seq)
     SELECT id, u, 'active', 0 FROM sb_conv, LATERAL (VALUES (a), (b), (c)) AS m(u) WHERE u IS NOT NULL
     ON CONFLICT DO NOTHING`,
  );
  // The searcher: active in `mine` conversations; in every fifth of them added late (sees from seq 20).
  await admin.query(
    `INSERT INTO conversation_member (conversation_id, user_id, state, visible_from_seq)
     SELECT id, $1, 'active', CASE WHEN n % 5 = 0 THEN 20 ELSE 0 END FROM sb_conv WHERE n <= $2`,
    [searcherId, CFG.mine],
  );
  const t1 = performance.now();
  log(
    `search: ${CFG.conversations} conversations, ${CFG.users} users in ${((t1 - t0) / 1000).toFixed(1)} s; loading ${CFG.messages} messages ...`,
  );
  // Messages: 6–15 words each, word rank ~ power(random, 3) × vocabulary (a few words very common).
  // The word subquery names g and c.n (its length), so it is drawn again for every row.
  const batch = 200_000;
  const convPerBatch = Math.ceil(batch / perConv);
  for (let from = 1; from <= CFG.conversations; from += convPerBatch) {
    await admin.query(
      `INSERT INTO message (id, conversation_id, seq, sender_id, client_id, text, created_at)
       SELECT gen_random_uuid(), c.id, g,
              CASE WHEN c.n <= $5 AND g % 3 = 0 THEN $6::uuid WHEN g % 2 = 0 THEN c.a ELSE c.b END,
              'sb-' || g,
              (SELECT string_agg(($1::text[])[1 + floor(power(random(), 3) * $2)::int], ' ')
                 FROM generate_series(1, 6 + (g + c.n) % 10) AS w(i)),
              now() - make_interval(mins => ($3 - g) * 7 + c.n % 60)
         FROM sb_conv c, generate_series(1, $3::int) AS g
        WHERE c.n >= $4 AND c.n < $4 + $7`,
      [vocab, CFG.vocabulary, perConv, from, CFG.mine, searcherId, convPerBatch],
    );
  }
  const t2 = performance.now();
  log(`search: messages loaded in ${((t2 - t1) / 1000).toFixed(1)} s; building the search index ...`);
  await admin.query(def);
  const t3 = performance.now();
  await admin.query('ANALYZE message; ANALYZE conversation_member; ANALYZE conversation');
  const { rows } = await admin.query(
    `SELECT count(*)::int AS n, pg_size_pretty(pg_relation_size('message_search_idx')) AS idx FROM message`,
  );
  log(`search: index built in ${((t3 - t2) / 1000).toFixed(1)} s (${rows[0].idx}); ${rows[0].n} messages`);
  return { vocab, messages: rows[0].n, loadSeconds: (t2 - t0) / 1000, indexSeconds: (t3 - t2) / 1000, indexSize: rows[0].idx };
}

/** The queries: by word frequency rank, two-word queries and a word that is nowhere. */
function queries(vocab) {
  const pick = (lo, hi, i) => vocab[lo + ((i * 7919) % (hi - lo))];
  const out = [];
  for (let i = 0; out.length < CFG.queries + 50; i++) {
    switch (i % 6) {
      case 0:
        out.push({ kind: 'common', q: pick(0, 20, i) });
        break;
      case 1:
        out.push({ kind: 'medium', q: pick(100, 600, i) });
        break;
      case 2:
        out.push({ kind: 'rare', q: pick(2000, 5000, i) });
        break;
      case 3:
        out.push({ kind: 'two words', q: `${pick(0, 50, i)} ${pick(50, 500, i)}` });
        break;
      case 4:
        out.push({ kind: 'phrase', q: `"${pick(0, 30, i)} ${pick(0, 30, i + 1)}"` });
        break;
      default:
        out.push({ kind: 'absent', q: `zzqx${i}` });
    }
  }
  return out;
}

/** Runs the phase against the app at `http` as `searcher`; returns what the report prints. */
async function searchPhase(ctx, http, searcher, log) {
  const corpus = await loadCorpus(ctx.admin, searcher.id, log);
  const list = queries(corpus.vocab);
  const all = new Samples();
  const byKind = new Map();
  let hits = 0;
  for (const [i, { kind, q }] of list.entries()) {
    const t = performance.now();
    const res = await http.get(`/v1/search?q=${encodeURIComponent(q)}&limit=20`, searcher.token);
    const ms = performance.now() - t;
    if (res.status !== 200) throw new Error(`search ${q}: ${res.status} ${JSON.stringify(res.body)}`);
    if (i < 50) continue; // warm-up: plans prepared, caches filled
    hits += res.body.items.length;
    all.add(ms);
    if (!byKind.has(kind)) byKind.set(kind, new Samples());
    byKind.get(kind).add(ms);
  }
  const plan = await ctx.admin.query(
    `EXPLAIN (COSTS OFF) SELECT x.id FROM message x
      WHERE x.conversation_id = ANY (ARRAY(SELECT conversation_id FROM conversation_member WHERE user_id = $1 AND state = 'active'))
        AND x.state = 'visible' AND x.search_tsv @@ websearch_to_tsquery('simple', $2)`,
    [searcher.id, corpus.vocab[0]],
  );
  const r = {
    ...corpus,
    mine: CFG.mine,
    conversations: CFG.conversations,
    searches: all.count,
    avgHits: all.count ? hits / all.count : 0,
    latency: all,
    byKind: Object.fromEntries([...byKind].map(([k, s]) => [k, { p50: s.pct(50), p99: s.pct(99) }])),
    plan: plan.rows.map((x) => x['QUERY PLAN']).join(' | '),
    targetP99Ms: TARGET_P99_MS,
  };
  log(
    `search: ${r.searches} searches, p50 ${r.latency.pct(50).toFixed(1)} ms, p99 ${r.latency.pct(99).toFixed(1)} ms (target ≤ ${TARGET_P99_MS} ms), ${r.avgHits.toFixed(1)} hits a search`,
  );
  for (const [k, v] of Object.entries(r.byKind)) log(`  ${k}: p50 ${v.p50.toFixed(1)} ms, p99 ${v.p99.toFixed(1)} ms`);
  log(`  plan: ${r.plan}`);
  return r;
}

module.exports = { searchPhase, TARGET_P99_MS, word };
