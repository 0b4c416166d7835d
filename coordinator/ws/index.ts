export { WsGateway } from './gateway.js';
