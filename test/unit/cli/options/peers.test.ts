import { describe, expect, it } from 'vitest';
import { parsePeers } from '../../../../cli/options/peers.js';

describe('--peers', () => {
  it('maps each member id to its base URL', () => {
    expect(
      parsePeers('c1=http://127.0.0.1:8081,c2=http://127.0.0.1:8082/,c3=https://h:9/x'),
    ).toEqual(
      new Map([
        ['c1', 'http://127.0.0.1:8081'],
        ['c2', 'http://127.0.0.1:8082'],
        ['c3', 'https://h:9'],
      ]),
    );
  });

  it('names what is wrong', () => {
    expect(() => parsePeers('c1=http://a:1,c2=http://a:2')).toThrow('3, 5 or 7 members');
    expect(() => parsePeers('c1=http://a:1,c1=http://a:2,c3=http://a:3')).toThrow('twice');
    expect(() => parsePeers('c1=ws://a:1,c2=http://a:2,c3=http://a:3')).toThrow('http://');
    expect(() => parsePeers('http://a:1')).toThrow('id=http://host:port');
  });
});
