/**
 * The AsyncAPI 3 document of the socket (GET /asyncapi.json). Built from the OpenAPI
 * document's own schemas (the sync events ARE the socket events), converted from OpenAPI 3.0
 * to JSON Schema (nullable → a null type), so the two documents cannot drift apart.
 * test/e2e/asyncapi.e2e-spec.ts validates real socket traffic against it.
 */
import { EVENT_TYPES, type EventType } from '@app/messaging/events/event-types';
import { EVENT_SCHEMA } from '../v1/sync.schemas';

type Schema = Record<string, any>;

const EVENT_SUMMARY: Record<EventType, string> = {
  'message.created': 'A message in one of my conversations (mine included)',
  'message.updated': 'A message changed: a link verdict, a removal (unsent, malicious link, moderation), an edit or reactions',
  'conversation.updated': 'Membership, accept, leave or title of a conversation changed',
  'request.created': 'Someone started a message request with me (or added me, unknown, to a group)',
  'question.created': 'A listener question in a room (moderators see all; others their own)',
  'question.updated': 'A question was upvoted, pinned, answered or dismissed',
  'read.updated': "A member's read marker moved (`userId` is the reader)",
  'notice.created': 'Moderation told me something (an outcome of my report, an action against me)',
};

/** OpenAPI 3.0 schema → JSON Schema (draft 7, which AsyncAPI schemas extend). */
export function toJsonSchema(s: unknown): any {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (!s || typeof s !== 'object') return s;
  const { nullable, example, discriminator: _d, ...rest } = s as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(rest)) {
    if (k === 'properties' || k === 'patternProperties')
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, toJsonSchema(ps)]));
    else if (['items', 'additionalProperties', 'not', 'allOf', 'oneOf', 'anyOf'].includes(k)) out[k] = toJsonSchema(v);
    else out[k] = v;
  }
  if (example !== undefined) out.examples = [example];
  if (nullable === true) {
    const composite = out.$ref !== undefined || out.allOf || out.oneOf || out.anyOf;
    if (composite) {
      // OpenAPI 3.0 writes a nullable reference as {type?, nullable, allOf: [$ref]}.
      const { type: _type, ...inner } = out;
      return { oneOf: [inner, { type: 'null' }] };
    }
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { oneOf: [out, { type: 'null' }] };
  }
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Socket-only shapes: the send and typing payloads and their acks. */
const SOCKET_SCHEMAS: Record<string, Schema> = {
  AckError: {
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { type: 'string', description: 'The same stable code the REST route answers (e.g. request_pending_limit, rate_limited)' },
      message: { type: 'string' },
      details: { description: 'invalid_request: the failing fields' },
      retryAfterSeconds: {
        type: 'integer',
        minimum: 1,
        description: 'rate_limited and *_unavailable: wait this long, then retry with the same clientId',
      },
    },
    additionalProperties: false,
  },
  MessageSendPayload: {
    type: 'object',
    required: ['conversationId', 'clientId', 'text'],
    properties: {
      conversationId: { type: 'string', format: 'uuid' },
      clientId: {
        type: 'string',
        minLength: 1,
        maxLength: 100,
        description: 'Generated once per message; a retry with the same one answers the stored message',
      },
      text: { type: 'string', minLength: 1, maxLength: 4000 },
    },
  },
  MessageSendAck: {
    oneOf: [
      { type: 'object', required: ['message'], properties: { message: ref('Message') }, additionalProperties: false },
      { type: 'object', required: ['error'], properties: { error: ref('AckError') }, additionalProperties: false },
    ],
  },
  TypingPayload: {
    type: 'object',
    required: ['conversationId'],
    properties: { conversationId: { type: 'string', format: 'uuid' } },
  },
  TypingAck: {
    oneOf: [
      {
        type: 'object',
        required: ['relayed'],
        properties: { relayed: { type: 'boolean', description: 'false: throttled (at most one relay every few seconds)' } },
        additionalProperties: false,
      },
      { type: 'object', required: ['error'], properties: { error: ref('AckError') }, additionalProperties: false },
    ],
  },
  TypingEvent: {
    type: 'object',
    required: ['conversationId', 'userId'],
    properties: {
      conversationId: { type: 'string', format: 'uuid' },
      userId: { type: 'string', format: 'uuid', description: 'Who is typing' },
    },
    additionalProperties: false,
  },
};

/** The payload schema of one server → client event: its sync schema with `type` fixed to the name. */
function eventSchema(type: EventType): Schema {
  return { allOf: [ref(EVENT_SCHEMA[type]), { type: 'object', properties: { type: { const: type } } }] };
}

export function buildAsyncApi(openapi: { components?: { schemas?: Record<string, unknown> } }, host: string): Schema {
  const schemas: Schema = {};
  for (const [name, s] of Object.entries(openapi.components?.schemas ?? {})) schemas[name] = toJsonSchema(s);
  Object.assign(schemas, SOCKET_SCHEMAS);

  const messages: Schema = {};
  const channelMessages: Schema = {};
  const operations: Schema = {};
  const channel = { $ref: '#/channels/user' };
  for (const type of EVENT_TYPES) {
    messages[type] = { name: type, title: type, summary: EVENT_SUMMARY[type], payload: eventSchema(type) };
    channelMessages[type] = { $ref: `#/components/messages/${type}` };
    operations[`receive.${type}`] = {
      action: 'receive',
      channel,
      summary: EVENT_SUMMARY[type],
      messages: [{ $ref: `#/channels/user/messages/${type}` }],
    };
  }
  const socketMessages: Schema = {
    typing: {
      name: 'typing',
      title: 'typing',
      summary: 'A member is typing (live only: no cursor, never in sync)',
      payload: ref('TypingEvent'),
    },
    'message.send': {
      name: 'message.send',
      title: 'message.send',
      summary: 'Send a message (same rules as POST /v1/conversations/{id}/messages)',
      payload: ref('MessageSendPayload'),
    },
    'message.send.ack': {
      name: 'message.send.ack',
      title: 'message.send ack',
      summary: 'The acknowledgement: {message} or {error}',
      payload: ref('MessageSendAck'),
    },
    'typing.send': {
      name: 'typing',
      title: 'typing (client → server)',
      summary: 'I am typing in a conversation',
      payload: ref('TypingPayload'),
    },
    'typing.ack': { name: 'typing.ack', title: 'typing ack', summary: '{relayed} or {error}', payload: ref('TypingAck') },
  };
  Object.assign(messages, socketMessages);
  for (const k of Object.keys(socketMessages)) channelMessages[k] = { $ref: `#/components/messages/${k}` };
  operations['receive.typing'] = {
    action: 'receive',
    channel,
    summary: socketMessages.typing.summary,
    messages: [{ $ref: '#/channels/user/messages/typing' }],
  };
  operations['send.message.send'] = {
    action: 'send',
    channel,
    summary: 'Emit `message.send` with an acknowledgement callback',
    messages: [{ $ref: '#/channels/user/messages/message.send' }],
    reply: { channel, messages: [{ $ref: '#/channels/user/messages/message.send.ack' }] },
  };
  operations['send.typing'] = {
    action: 'send',
    channel,
    summary: 'Emit `typing` with an acknowledgement callback',
    messages: [{ $ref: '#/channels/user/messages/typing.send' }],
    reply: { channel, messages: [{ $ref: '#/channels/user/messages/typing.ack' }] },
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Backchannel real time',
      version: '1.1',
      description: [
        'socket.io 4 on the API port (path `/socket.io`), default namespace. Connect with `auth: {token: <accessToken>}`; a bad token is refused with a connect_error whose `data` is `{code, message}`.',
        'Every server → client event is `{type, cursor, ...payload}` with the event name equal to `type`: the same objects `GET /v1/sync` returns. Cursors are the recipient\'s own and consecutive: see docs/API.md "Reconnect and sync".',
        'Client → server events take an acknowledgement callback (socket.io ack): the ack payload is the reply message of the operation.',
      ].join('\n\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      api: {
        host,
        protocol: 'ws',
        pathname: '/socket.io',
        description: 'socket.io v4 (Engine.IO 4), websocket or polling transport',
        security: [{ $ref: '#/components/securitySchemes/accessToken' }],
      },
    },
    channels: {
      user: {
        address: '/',
        title: 'My socket',
        description: 'Everything for the signed-in user arrives on their sockets; sends go out on the same socket.',
        messages: channelMessages,
      },
    },
    operations,
    components: {
      schemas,
      messages,
      securitySchemes: {
        accessToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The access token, passed as socket.io handshake `auth: {token}`',
        },
      },
    },
  };
}
