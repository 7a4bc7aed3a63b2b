/**
 * Staff rules for the "send with 200 live rules" phase (issue #14, item 4): keyword, regex
 * and domain rules, all live, none matching the benchmark's text, so every send pays the
 * full screening (normalise once, Aho-Corasick, the regex alternation, the domain map) and
 * nothing else changes. Written straight to the table, then the rules version is moved in
 * Redis: the API process recompiles within its poll interval (RulesService).
 */
const { randomUUID } = require('node:crypto');

const letters = (i) => {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    s += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  }
  return s;
};

/** `count` rules: 70% keyword (5 patterns each, some with `*`), 20% regex, 10% domain. */
function ruleRows(count) {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const k = i % 10;
    const tag = `zq${letters(i)}`;
    if (k < 7) rows.push({ kind: 'keyword', patterns: [`${tag}word`, `${tag} phrase here`, `${tag}pre*`, `*${tag}suf`, `b4d${tag}`] });
    else if (k < 9) rows.push({ kind: 'regex', patterns: [`${tag}\\s+\\d{2,}`, `(?:buy|sell)\\s+${tag}[a-z]*`] });
    else rows.push({ kind: 'domain', patterns: [`${tag}.example`, `${tag}-spam.test`] });
  }
  return rows;
}

async function seedRules(pg, redis, prefix, count) {
  for (const r of ruleRows(count)) {
    await pg.query(
      `INSERT INTO moderation_rule (id, name, enabled, mode, kind, patterns, applies_to, action, reason)
       VALUES ($1, $2, true, 'live', $3, $4, '{requests,direct,group,room,questions}', 'block', 'bench')`,
      [randomUUID(), `bench ${r.kind}`, r.kind, r.patterns],
    );
  }
  await redis.incr(`${prefix}rules:version`);
}

async function clearRules(pg, redis, prefix) {
  await pg.query('DELETE FROM rule_hit');
  await pg.query('DELETE FROM moderation_rule');
  await redis.incr(`${prefix}rules:version`);
}

module.exports = { ruleRows, seedRules, clearRules };
