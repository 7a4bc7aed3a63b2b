const { Client } = require('/work/wt/features/node_modules/pg');
const { SEARCH_SQL } = require('/work/wt/features/dist/libs/messaging/src/messages/message-search.service.js');
(async () => {
  const c = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/' + process.argv[2] });
  await c.connect();
  const [{ id }] = (await c.query(`SELECT id FROM app_user WHERE handle LIKE 'b%q\\_0'`)).rows;
  const sql = process.env.SQL ? require('fs').readFileSync(process.env.SQL, 'utf8') : SEARCH_SQL;
  for (const q of (process.argv[3] || 'kababa').split(',')) {
    const r = await c.query('EXPLAIN (ANALYZE, BUFFERS) ' + sql, [id, q, null, null, null, 21]);
    console.log('==== ' + q);
    console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
  }
  await c.end();
})();
