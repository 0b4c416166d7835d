import { describe, expect, it } from 'vitest';
import { raftStreamUrl, toHttpUrl, toWebSocketUrl } from '../../../protocol/index.js';

describe('coordinator URLs', () => {
  it.each([
    ['ws://127.0.0.1:8080/ws', 'ws://127.0.0.1:8080/ws'],
    ['ws://127.0.0.1:8080', 'ws://127.0.0.1:8080/ws'],
    ['http://10.0.0.5:9000', 'ws://10.0.0.5:9000/ws'],
    ['http://10.0.0.5:9000/', 'ws://10.0.0.5:9000/ws'],
    ['https://dtf.example.com', 'wss://dtf.example.com/ws'],
    ['wss://dtf.example.com/custom', 'wss://dtf.example.com/custom'],
  ])('turns %s into the WebSocket URL %s', (given, expected) => {
    expect(toWebSocketUrl(given)).toBe(expected);
  });

  it('refuses other schemes and non-URLs with the reason', () => {
    expect(() => toWebSocketUrl('ftp://h:1')).toThrow("unsupported coordinator URL 'ftp://h:1'");
    expect(() => toWebSocketUrl('localhost 8080')).toThrow(
      "invalid coordinator URL 'localhost 8080'",
    );
  });

  it.each([
    ['ws://h:8080/ws', 'http://h:8080'],
    ['wss://h/ws', 'https://h'],
    ['http://h:1/x', 'http://h:1'],
  ])('derives the REST base of %s: %s', (given, expected) => {
    expect(toHttpUrl(given)).toBe(expected);
  });

  it.each([
    ['http://10.0.0.1:8080', 'ws://10.0.0.1:8080/raft'],
    ['https://c2.example.com', 'wss://c2.example.com/raft'],
  ])("opens a member's Raft stream at %s on %s", (given, expected) => {
    expect(raftStreamUrl(given)).toBe(expected);
  });
});
