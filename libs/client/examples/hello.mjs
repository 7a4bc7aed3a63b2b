/**
 * The SDK outside this repository: two people sign up, Bob follows Alice, Alice sends Bob a
 * message and Bob's client receives it live. Plain Node (≥ 20), ES modules, the BUILT package.
 *
 *   npm start                      # the server, in another terminal
 *   npm run build:client           # builds libs/client/dist
 *   node libs/client/examples/hello.mjs [http://127.0.0.1:3000]
 *
 * In your own app, install the package and import '@backchannel/client' instead of the path.
 */
import { BackchannelClient, ClientStateError, MemoryStorage, unwrap } from '../dist/index.js';

const baseUrl = process.argv[2] ?? process.env.BACKCHANNEL_URL ?? 'http://127.0.0.1:3000';
const tag = Math.random().toString(36).slice(2, 8);
const password = 'example-password-1';

const alice = new BackchannelClient({ baseUrl, storage: new MemoryStorage() });
const bob = new BackchannelClient({ baseUrl, storage: new MemoryStorage() });

async function main() {
  const a = await alice.signUp({ handle: `alice_${tag}`, displayName: 'Alice', password });
  const b = await bob.signUp({ handle: `bob_${tag}`, displayName: 'Bob', password });
  console.log(`signed up @${a.handle} and @${b.handle}`);

  // Bob follows Alice, so her first message reaches his inbox, not his requests.
  await unwrap(bob.api.PUT('/v1/users/{id}/follow', { params: { path: { id: a.id } } }));
  const chat = await unwrap(alice.api.POST('/v1/conversations', { body: { participantIds: [b.id] } }));

  // Sending needs a started client: before start() it fails at once, with a code to program against.
  try {
    await alice.send(chat.id, 'too early');
  } catch (err) {
    if (!(err instanceof ClientStateError)) throw err;
    console.log(`send() before start() rejected: ${err.code}`);
  }

  const received = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Bob received nothing within 15 s')), 15000);
    bob.on('message.created', (e) => {
      if (e.message.conversationId !== chat.id) return;
      clearTimeout(timer);
      resolve(e.message);
    });
  });
  await bob.start(); // syncs from "now", then applies live events, each once, in order
  await alice.start();

  const sent = await alice.send(chat.id, `Hello, Bob! (${tag})`);
  console.log(`alice sent: "${sent.text}" (seq ${sent.seq})`);
  const message = await received;
  console.log(`bob received: "${message.text}" (seq ${message.seq}) from @${a.handle}`);
}

main()
  .then(() => {
    alice.stop();
    bob.stop();
  })
  .catch((err) => {
    console.error(`example failed: ${err?.code ? `${err.code}: ` : ''}${err?.message ?? err}`);
    alice.stop();
    bob.stop();
    process.exitCode = 1;
  });
