import { EventEmitter } from 'node:events';
import { from } from 'rxjs';
import type { AppConfig } from '@app/messaging/config';
import { RedisIoAdapter } from './redis-io.adapter';

/** A socket as bindMessageHandlers sees it: `on` for client events, `emit` for what goes out. */
class FakeSocket extends EventEmitter {
  disconnected = false;
  readonly sent: unknown[][] = [];
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    this.sent.push([event, ...args]);
    return true;
  }
  /** A client event arriving, as socket.io delivers it to the listeners. */
  receive(event: string, ...args: unknown[]) {
    for (const l of this.listeners(event)) (l as (...a: unknown[]) => void)(...args);
  }
}

const settle = () => new Promise((r) => setImmediate(r));

function bind(handler: (data: unknown, ack: unknown) => unknown, isAckHandledManually = false) {
  const adapter = new RedisIoAdapter(undefined as never, {} as AppConfig);
  const socket = new FakeSocket();
  const calls: Array<{ data: unknown; ack: unknown }> = [];
  adapter.bindMessageHandlers(
    socket as never,
    [
      {
        message: 'ping',
        methodName: 'ping',
        isAckHandledManually,
        // Nest hands the handler's answer (a value, promise or observable) to `transform`.
        callback: (data: unknown, ack: unknown) => {
          calls.push({ data, ack });
          return Promise.resolve(handler(data, ack));
        },
      },
    ],
    (result) => from(result as Promise<unknown>),
  );
  return { socket, calls };
}

describe('RedisIoAdapter.bindMessageHandlers (Nest IoAdapter semantics without a per-socket rxjs pipeline)', () => {
  it('hands the payload to the handler and acks its answer', async () => {
    const { socket, calls } = bind((data) => ({ got: data }));
    const acks: unknown[] = [];
    socket.receive('ping', { a: 1 }, (answer: unknown) => acks.push(answer));
    await settle();
    expect(calls[0].data).toEqual({ a: 1 });
    expect(acks).toEqual([{ got: { a: 1 } }]);
  });

  it('several arguments are one array payload; no ack function, no answer', async () => {
    const { socket, calls } = bind(() => 'answer');
    socket.receive('ping', 1, 2);
    socket.receive('ping');
    await settle();
    expect(calls.map((c) => c.data)).toEqual([[1, 2], undefined]);
    expect(calls.every((c) => c.ack === undefined)).toBe(true);
    expect(socket.sent).toEqual([]);
  });

  it('a nil answer acks nothing; {event, data} is emitted instead of acked', async () => {
    const answers: unknown[] = [null, { event: 'pong', data: { n: 1 } }];
    const { socket } = bind(() => answers.shift());
    const acks: unknown[] = [];
    socket.receive('ping', {}, (a: unknown) => acks.push(a));
    socket.receive('ping', {}, (a: unknown) => acks.push(a));
    await settle();
    expect(acks).toEqual([]);
    expect(socket.sent).toEqual([['pong', { n: 1 }]]);
  });

  it('a handler that acks itself is not acked again; nothing is answered once the socket disconnected', async () => {
    const manual = bind(() => 'answer', true);
    const acks: unknown[] = [];
    manual.socket.receive('ping', {}, (a: unknown) => acks.push(a));
    const gone = bind(() => 'answer');
    gone.socket.receive('ping', {}, (a: unknown) => acks.push(a));
    gone.socket.disconnected = true;
    await settle();
    expect(acks).toEqual([]);
  });
});
