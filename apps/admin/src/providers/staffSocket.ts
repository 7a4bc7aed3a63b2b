import { io, type Socket } from 'socket.io-client';
import { session } from './session';

let socket: Socket | null = null;

/**
 * The console's one socket to the API's staff namespace (/staff on /socket.io, the same
 * origin that serves the console), opened on first use. Each (re)connection sends the current
 * access token, so a socket closed when its token expired comes back with the new one.
 */
export function staffSocket(): Socket {
    socket ??= io('/staff', {
        path: '/socket.io',
        transports: ['websocket'],
        auth: cb => cb({ token: session.token() ?? '' }),
    });
    return socket;
}
