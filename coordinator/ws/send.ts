import WebSocket from 'ws';
import {
  type ErrorMessage,
  PROTOCOL_VERSION,
  type ProtocolError,
  type ToClientMessage,
  type ToWorkerMessage,
} from '../../protocol/index.js';

export function send(socket: WebSocket, message: ToWorkerMessage | ToClientMessage): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

export function sendError(socket: WebSocket, error: ProtocolError, id?: string): void {
  const message: ErrorMessage = { v: PROTOCOL_VERSION, type: 'error', ...error };
  if (id !== undefined) message.id = id;
  send(socket, message);
}
