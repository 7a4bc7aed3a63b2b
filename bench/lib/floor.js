'use strict';
/**
 * The floor: what PostgreSQL alone costs for a send, issued through `pg` at the same
 * concurrency as the API load, on the same conversations, in the same run.
 *
 * - `send`: the exact statement MessagesService.send commits (SEND_SQL, imported from the
 *   build, not copied), with the parameters the service passes for a text without links,
 *   issued as the service issues it: a named (server-side prepared) statement.
 * - `send-unprepared`: the same statement planned on every call (how the API issued it
 *   before it switched to prepared statements), to show what planning costs.
 * - `context+send`: the slow path's two round trips (CONTEXT_SQL, then SEND_SQL, both prepared; the API takes it only for refused sends and replies to requests),
 *   no HTTP, no Redis, no socket.
 * - `five`: the textbook shape, five statements in a transaction: BEGIN; lock and
 *   bump the conversation counter; insert the message; insert one outbox row per member;
 *   COMMIT. It does less than we do (no per-user cursors, no event rows), for context.
 */
const { Client } = require('pg');
const { builtLib } = require('./product');
const { now, textFor } = require('./load');
const { Samples } = require('./stats');

async function floor({ databaseUrl, lanes, shape, tag, warmup, seconds, meter }) {
  const { SEND_SQL, CONTEXT_SQL, sendParams } = builtLib('messages/messages.repository.js');
  const { newId } = builtLib('ids.js');
  if (typeof SEND_SQL !== 'string' || typeof CONTEXT_SQL !== 'string') throw new Error('the build does not export SEND_SQL/CONTEXT_SQL');
  const clients = await Promise.all(
    lanes.map(async () => {
      const c = new Client({ connectionString: databaseUrl });
      await c.connect();
      return c;
    }),
  );
  // Metered while the clients are connected: their backends' CPU is the floor's PostgreSQL cost.
  if (meter) await meter.start();
  const start = now();
  const from = start + warmup * 1000;
  const end = from + seconds * 1000;
  const latency = new Samples();
  let ok = 0;
  let cpu = null;
  const errors = {};
  try {
    await Promise.all(
      lanes.map(async (lane, i) => {
        const db = clients[i];
        for (let k = 0; now() < end; k++) {
          const c = lane.conversations[k % lane.conversations.length];
          const clientId = `${tag}-${i}-${k}`;
          const text = textFor(k, i);
          const t0 = now();
          try {
            if (shape === 'five') {
              await fiveStatements(db, newId(), c, lane.sender.id, clientId, text);
            } else {
              if (shape === 'context+send') {
                const ctx = await db.query({ name: 'bench_send_context', text: CONTEXT_SQL, values: [c.id, lane.sender.id, clientId] });
                if (!ctx.rows[0] || ctx.rows[0].existing) throw new Error('unexpected context');
              }
              // The parameters MessagesService.send passes for a text with no links.
              const values = sendParams({
                conversationId: c.id,
                senderId: lane.sender.id,
                id: newId(),
                clientId,
                text,
                links: [],
                linkRows: [],
                jobs: [],
                requestJobs: [],
              });
              const res = await db.query(
                shape === 'send-unprepared' ? { text: SEND_SQL, values } : { name: 'bench_send', text: SEND_SQL, values },
              );
              if (res.rows.length !== 1) throw new Error('SEND_SQL stored nothing');
            }
            const t1 = now();
            if (t1 >= from && t1 <= end) {
              ok++;
              latency.add(t1 - t0);
            }
          } catch (err) {
            errors[err.code || err.message] = (errors[err.code || err.message] || 0) + 1;
            if (shape === 'five') await db.query('ROLLBACK').catch(() => undefined);
          }
        }
      }),
    );
    cpu = meter ? await meter.stop() : null;
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
  return { rate: ok / seconds, ok, latency, errors, cpu };
}

async function fiveStatements(db, id, c, senderId, clientId, text) {
  await db.query('BEGIN');
  const { rows } = await db.query(
    'UPDATE conversation SET last_seq = last_seq + 1, last_activity_at = now() WHERE id = $1 RETURNING last_seq',
    [c.id],
  );
  const seq = rows[0].last_seq;
  const msg = await db.query(
    `INSERT INTO message (id, conversation_id, seq, sender_id, client_id, text, links) VALUES ($1, $2, $3, $4, $5, $6, '[]'::jsonb) RETURNING *`,
    [id, c.id, seq, senderId, clientId, text],
  );
  const m = msg.rows[0];
  const payload = {
    type: 'message.created',
    message: { id, conversationId: c.id, seq: String(seq), senderId, clientId, text, links: [], state: 'visible', createdAt: m.created_at },
  };
  const members = [senderId, ...c.recipients];
  await db.query(
    `INSERT INTO outbox (events) SELECT jsonb_build_array(jsonb_build_object('userId', u) || $2::jsonb) FROM unnest($1::uuid[]) AS u`,
    [members, JSON.stringify(payload)],
  );
  await db.query('COMMIT');
}

module.exports = { floor };
