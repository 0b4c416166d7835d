import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseCoordinatorUrls } from '../../../../cli/options/coordinator-urls.js';
import { durationMs } from '../../../../cli/options/duration.js';
import { collectGroupWeight } from '../../../../cli/options/group-weights.js';
import { integerIn } from '../../../../cli/options/integers.js';
import { collectLabel, parseLabel } from '../../../../cli/options/labels.js';

describe('--label', () => {
  it('splits at the first = and allows an empty value', () => {
    expect(parseLabel('gpu=a100')).toEqual(['gpu', 'a100']);
    expect(parseLabel('expr=a=b')).toEqual(['expr', 'a=b']);
    expect(parseLabel('flag=')).toEqual(['flag', '']);
  });

  it('rejects text that is not key=value', () => {
    expect(() => parseLabel('gpu')).toThrow(InvalidArgumentError);
    expect(() => parseLabel('=x')).toThrow("label '=x' must look like key=value");
  });

  it('gathers repeated labels, the last value of a key winning', () => {
    const once = collectLabel('os=linux', undefined);
    expect(collectLabel('gpu=a100', collectLabel('os=mac', once))).toEqual({
      os: 'mac',
      gpu: 'a100',
    });
  });

  it('checks keys against the protocol', () => {
    expect(() => collectLabel(`${'k'.repeat(65)}=v`, undefined)).toThrow(InvalidArgumentError);
  });
});

describe('--coordinator', () => {
  it('accepts comma-separated ws and http URLs and normalizes them', () => {
    expect(parseCoordinatorUrls('http://a:8080, ws://b:9000/ws,')).toEqual([
      'ws://a:8080/ws',
      'ws://b:9000/ws',
    ]);
  });

  it('refuses an empty list', () => {
    expect(() => parseCoordinatorUrls(' , ')).toThrow("no coordinator URL in ' , '");
  });
});

describe('integer options', () => {
  const parse = integerIn(1, 10);
  it('parses whole numbers within the range', () => {
    expect(parse('7')).toBe(7);
  });
  it.each(['0', '11', '2.5', 'abc', ''])('rejects %j', (text) => {
    expect(() => parse(text)).toThrow('expected a whole number from 1 to 10');
  });
});

describe('--group-weight', () => {
  it('gathers repeated group=weight pairs', () => {
    const once = collectGroupWeight('nightly=3', undefined);
    expect(collectGroupWeight('pr=0.5', once)).toEqual({ nightly: 3, pr: 0.5 });
  });
  it.each(['nightly', '=2', 'nightly=', 'nightly=0', 'nightly=-1', 'nightly=x'])(
    'rejects %j',
    (text) => {
      expect(() => collectGroupWeight(text, undefined)).toThrow(
        `group weight '${text}' must look like group=weight, with a positive weight`,
      );
    },
  );
});

describe('--timeout', () => {
  it('reads a duration with a unit, bare numbers as seconds', () => {
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('90s')).toBe(90_000);
    expect(durationMs('1.5m')).toBe(90_000);
    expect(durationMs('2h')).toBe(7_200_000);
    expect(durationMs('30')).toBe(30_000);
  });

  it('rejects what is not a positive duration up to a day, saying what it expects', () => {
    for (const text of ['', 'soon', '0', '-5s', '10 minutes', '25h', '2d']) {
      expect(() => durationMs(text), text).toThrow(InvalidArgumentError);
    }
    expect(() => durationMs('10x')).toThrow('such as 500ms, 90s, 10m or 1h');
  });
});
