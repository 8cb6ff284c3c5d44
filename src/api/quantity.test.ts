// Tables taken from upstream's quantity_test.go (TestQuantityParse, TestQuantityString,
// TestQuantityParseEmit, TestQuantityRoundUp, TestQuantityCmp, TestQuantityNeg).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Quantity, type QuantityFormat, quantityErrors } from './quantity.ts';

const dec = (i: bigint | number, exponent: number): Quantity => Quantity.fromScaled(i, exponent);
const maxAllowed = Quantity.fromValue((1n << 63n) - 1n);

const parseTable: [string, Quantity, QuantityFormat][] = [
  ['0', dec(0, 0), 'DecimalSI'],
  ['0n', dec(0, 0), 'DecimalSI'],
  ['0u', dec(0, 0), 'DecimalSI'],
  ['0m', dec(0, 0), 'DecimalSI'],
  ['0Ki', dec(0, 0), 'BinarySI'],
  ['0k', dec(0, 0), 'DecimalSI'],
  ['0Mi', dec(0, 0), 'BinarySI'],
  ['0M', dec(0, 0), 'DecimalSI'],
  ['0Gi', dec(0, 0), 'BinarySI'],
  ['0G', dec(0, 0), 'DecimalSI'],
  ['0Ti', dec(0, 0), 'BinarySI'],
  ['0T', dec(0, 0), 'DecimalSI'],
  ['1', dec(1, 0), 'DecimalSI'],
  ['1Ki', dec(1024, 0), 'BinarySI'],
  ['8Ki', dec(8 * 1024, 0), 'BinarySI'],
  ['7Mi', dec(7 * 1024 * 1024, 0), 'BinarySI'],
  ['6Gi', dec(6n * 1024n ** 3n, 0), 'BinarySI'],
  ['5Ti', dec(5n * 1024n ** 4n, 0), 'BinarySI'],
  ['4Pi', dec(4n * 1024n ** 5n, 0), 'BinarySI'],
  ['3Ei', dec(3n * 1024n ** 6n, 0), 'BinarySI'],
  ['10Ti', dec(10n * 1024n ** 4n, 0), 'BinarySI'],
  ['100Ti', dec(100n * 1024n ** 4n, 0), 'BinarySI'],
  ['5n', dec(5, -9), 'DecimalSI'],
  ['4u', dec(4, -6), 'DecimalSI'],
  ['3m', dec(3, -3), 'DecimalSI'],
  ['9', dec(9, 0), 'DecimalSI'],
  ['8k', dec(8, 3), 'DecimalSI'],
  ['50k', dec(5, 4), 'DecimalSI'],
  ['7M', dec(7, 6), 'DecimalSI'],
  ['6G', dec(6, 9), 'DecimalSI'],
  ['5T', dec(5, 12), 'DecimalSI'],
  ['40T', dec(4, 13), 'DecimalSI'],
  ['300T', dec(3, 14), 'DecimalSI'],
  ['2P', dec(2, 15), 'DecimalSI'],
  ['1E', dec(1, 18), 'DecimalSI'],
  ['1E-3', dec(1, -3), 'DecimalExponent'],
  ['1e3', dec(1, 3), 'DecimalExponent'],
  ['1E6', dec(1, 6), 'DecimalExponent'],
  ['1e9', dec(1, 9), 'DecimalExponent'],
  ['1E12', dec(1, 12), 'DecimalExponent'],
  ['1e15', dec(1, 15), 'DecimalExponent'],
  ['1E18', dec(1, 18), 'DecimalExponent'],
  ['1e14', dec(1, 14), 'DecimalExponent'],
  ['1e13', dec(1, 13), 'DecimalExponent'],
  ['100.035k', dec(100035, 0), 'DecimalSI'],
  ['0.001', dec(1, -3), 'DecimalSI'],
  ['0.0005k', dec(5, -1), 'DecimalSI'],
  ['0.005', dec(5, -3), 'DecimalSI'],
  ['0.05', dec(5, -2), 'DecimalSI'],
  ['0.5', dec(5, -1), 'DecimalSI'],
  ['0.00050k', dec(5, -1), 'DecimalSI'],
  ['0.00500', dec(5, -3), 'DecimalSI'],
  ['0.05000', dec(5, -2), 'DecimalSI'],
  ['0.50000', dec(5, -1), 'DecimalSI'],
  ['0.5e0', dec(5, -1), 'DecimalExponent'],
  ['0.5e-1', dec(5, -2), 'DecimalExponent'],
  ['0.5e-2', dec(5, -3), 'DecimalExponent'],
  ['10.035M', dec(10035, 3), 'DecimalSI'],
  ['1.2e3', dec(12, 2), 'DecimalExponent'],
  ['1.3E+6', dec(13, 5), 'DecimalExponent'],
  ['1.40e9', dec(14, 8), 'DecimalExponent'],
  ['1.53E12', dec(153, 10), 'DecimalExponent'],
  ['1.6e15', dec(16, 14), 'DecimalExponent'],
  ['1.7E18', dec(17, 17), 'DecimalExponent'],
  ['9.01', dec(901, -2), 'DecimalSI'],
  ['8.1k', dec(81, 2), 'DecimalSI'],
  ['7.123456M', dec(7123456, 0), 'DecimalSI'],
  ['6.987654321G', dec(6987654321, 0), 'DecimalSI'],
  ['5.444T', dec(5444, 9), 'DecimalSI'],
  ['40.1T', dec(401, 11), 'DecimalSI'],
  ['300.2T', dec(3002, 11), 'DecimalSI'],
  ['2.5P', dec(25, 14), 'DecimalSI'],
  ['1.01E', dec(101, 16), 'DecimalSI'],
  ['3.001n', dec(4, -9), 'DecimalSI'],
  ['1.1E-9', dec(2, -9), 'DecimalExponent'],
  ['0.0000000001', dec(1, -9), 'DecimalSI'],
  ['0.0000000005', dec(1, -9), 'DecimalSI'],
  ['0.00000000050', dec(1, -9), 'DecimalSI'],
  ['0.5e-9', dec(1, -9), 'DecimalExponent'],
  ['0.9n', dec(1, -9), 'DecimalSI'],
  ['0.00000012345', dec(124, -9), 'DecimalSI'],
  ['0.00000012354', dec(124, -9), 'DecimalSI'],
  ['9Ei', maxAllowed, 'BinarySI'],
  ['9223372036854775807Ki', maxAllowed, 'BinarySI'],
  ['12E', dec(12, 18), 'DecimalSI'],
  ['100.035Ki', dec(10243584, -2), 'BinarySI'],
  ['0.5Mi', dec(0.5 * 1024 * 1024, 0), 'BinarySI'],
  ['0.05Gi', dec(536870912, -1), 'BinarySI'],
  ['0.025Ti', dec(274877906944, -1), 'BinarySI'],
  ['0.000000000001Ki', dec(2, -9), 'DecimalSI'],
  ['.001', dec(1, -3), 'DecimalSI'],
  ['.0001k', dec(100, -3), 'DecimalSI'],
  ['1.', dec(1, 0), 'DecimalSI'],
  ['1.G', dec(1, 9), 'DecimalSI'],
];

describe('Quantity.parse', () => {
  it('reads every upstream example with its value and format', () => {
    for (const [input, want, format] of parseTable) {
      const got = Quantity.parse(input);
      assert.equal(got.cmp(want), 0, `${input}: got ${got.toString()}, want ${want.toString()}`);
      assert.equal(got.format, format, input);
    }
  });

  it('reads the negative of every example as the negated value with the same format', () => {
    for (const [input, want, format] of parseTable) {
      const got = Quantity.parse(`-${input}`);
      assert.equal(got.cmp(want.neg()), 0, `-${input}: got ${got.toString()}`);
      assert.equal(got.format, format, `-${input}`);
    }
  });

  it('reads every example with an explicit plus sign as the same value', () => {
    for (const [input, want, format] of parseTable) {
      const got = Quantity.parse(`+${input}`);
      assert.equal(got.cmp(want), 0, `+${input}`);
      assert.equal(got.format, format, `+${input}`);
    }
  });

  it('rejects malformed quantities with upstream error texts', () => {
    const cases: [string, string][] = [
      ['', quantityErrors.formatWrong],
      ['1.1.M', quantityErrors.formatWrong],
      ['1+1.0M', quantityErrors.formatWrong],
      ['0.1mi', quantityErrors.suffix],
      ['0.1am', quantityErrors.formatWrong],
      ['aoeu', quantityErrors.formatWrong],
      ['.5i', quantityErrors.suffix],
      ['1i', quantityErrors.suffix],
      ['-3.01i', quantityErrors.suffix],
      ['-3.01e-', quantityErrors.suffix],
      ['1e4294967297', quantityErrors.suffix],
      [' 1', quantityErrors.formatWrong],
      ['1 ', quantityErrors.formatWrong],
      ['Non-Numeric', quantityErrors.formatWrong],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => Quantity.parse(input),
        { name: 'QuantityParseError', message },
        JSON.stringify(input),
      );
      assert.equal(Quantity.tryParse(input), undefined);
    }
  });

  it('spells the format error with the regular expression upstream prints', () => {
    assert.equal(
      quantityErrors.formatWrong,
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  it('keeps huge exponents cheap', () => {
    const big = Quantity.parse('1e2147483647');
    const small = Quantity.parse('1e-2147483647');
    assert.equal(big.cmp(Quantity.parse('1E')), 1);
    assert.equal(small.toString(), '1e-9');
    assert.equal(big.toString(), '10e2147483646');
  });
});

describe('Quantity.toString', () => {
  const table: [Quantity, string, string][] = [
    [dec(1024 * 1024 * 1024, 0).withFormat('BinarySI'), '1Gi', '1024Mi'],
    [dec(300 * 1024 * 1024, 0).withFormat('BinarySI'), '300Mi', '307200Ki'],
    [dec(6 * 1024, 0).withFormat('BinarySI'), '6Ki', ''],
    [dec(1001n * 1024n ** 3n, 0).withFormat('BinarySI'), '1001Gi', '1025024Mi'],
    [dec(1024n ** 4n, 0).withFormat('BinarySI'), '1Ti', '1024Gi'],
    [dec(5, 0).withFormat('BinarySI'), '5', '5000m'],
    [dec(500, -3).withFormat('BinarySI'), '500m', '0.5'],
    [dec(1, 9), '1G', '1000M'],
    [dec(1000, 6), '1G', '0.001T'],
    [dec(1000000, 3), '1G', ''],
    [dec(1000000000, 0), '1G', ''],
    [dec(1, -3), '1m', '1000u'],
    [dec(80, -3), '80m', ''],
    [dec(1080, -3), '1080m', '1.08'],
    [dec(108, -2), '1080m', '1080000000n'],
    [dec(10800, -4), '1080m', ''],
    [dec(300, 6), '300M', ''],
    [dec(1, 12), '1T', ''],
    [dec(1, 18), '1E', ''],
    [dec(1, 21), '1e21', '1000E'],
    [dec(5, 21), '5e21', '5000E'],
    [dec(1, 24), '1e24', '1000000E'],
    [dec(1, 70).withFormat('BinarySI'), '10e69', ''],
    [dec(2, 70).withFormat('BinarySI'), '20e69', ''],
    [dec(1, 72).withFormat('BinarySI'), '1e72', ''],
    [dec(1234567, 6), '1234567M', ''],
    [dec(1234567, -3).withFormat('BinarySI'), '1234567m', ''],
    [dec(3, 3), '3k', ''],
    [dec(1025, 0).withFormat('BinarySI'), '1025', ''],
    [dec(0, 0), '0', ''],
    [dec(0, 0).withFormat('BinarySI'), '0', ''],
    [dec(1, 9).withFormat('DecimalExponent'), '1e9', '.001e12'],
    [dec(1, -3).withFormat('DecimalExponent'), '1e-3', '0.001e0'],
    [dec(1, -9).withFormat('DecimalExponent'), '1e-9', '1000e-12'],
    [dec(80, -3).withFormat('DecimalExponent'), '80e-3', ''],
    [dec(300, 6).withFormat('DecimalExponent'), '300e6', ''],
    [dec(1, 12).withFormat('DecimalExponent'), '1e12', ''],
    [dec(1, 3).withFormat('DecimalExponent'), '1e3', ''],
    [dec(3, 3).withFormat('DecimalExponent'), '3e3', ''],
    [dec(0, 0).withFormat('DecimalExponent'), '0', '00'],
    [dec(1, -9), '1n', ''],
    [dec(80, -9), '80n', ''],
    [dec(1080, -9), '1080n', ''],
    [dec(108, -8), '1080n', ''],
    [dec(10800, -10), '1080n', ''],
    [dec(1, -6), '1u', ''],
    [dec(80, -6), '80u', ''],
    [dec(1080, -6), '1080u', ''],
  ];

  it('prints the canonical form of every upstream example', () => {
    for (const [q, want] of table) assert.equal(q.toString(), want);
  });

  it('prints the canonical form when parsing a non-canonical spelling', () => {
    for (const [, want, alternate] of table) {
      assert.equal(Quantity.parse(want).toString(), want);
      if (alternate !== '') assert.equal(Quantity.parse(alternate).toString(), want, alternate);
    }
  });

  it('prints negated values with a leading minus', () => {
    for (const [q, want] of table) {
      if (q.isZero()) continue;
      assert.equal(q.neg().toString(), `-${want}`);
    }
  });

  it('prints past-Ei binary values as exact decimals', () => {
    assert.equal(Quantity.parse('1Ei').mul(1024).toString(), '1180591620717411303424');
    assert.equal(Quantity.fromValue(2000, 'BinarySI').toString(), '2000');
    assert.equal(Quantity.fromValue(-2000, 'BinarySI').toString(), '-2000');
  });

  it('falls back to exponent notation below nano', () => {
    assert.equal(dec(1, -12).toString(), '1e-12');
    assert.equal(dec(1, -10).toString(), '100e-12');
  });

  it('round-trips parse and emit as upstream TestQuantityParseEmit', () => {
    const cases: [string, string][] = [
      ['1Ki', '1Ki'],
      ['1Mi', '1Mi'],
      ['1Gi', '1Gi'],
      ['1024Mi', '1Gi'],
      ['1000M', '1G'],
      ['.001Ki', '1024m'],
      ['.000001Ki', '1024u'],
      ['.000000001Ki', '1024n'],
      ['.000000000001Ki', '2n'],
      ['1.5Gi', '1536Mi'],
      ['1000m', '1'],
      ['0.1', '100m'],
      ['1.5', '1500m'],
      ['1e3', '1e3'],
      ['1e4', '10e3'],
      ['1.2e3', '1200'],
      ['0.5Ki', '512'],
      ['1536Ki', '1536Ki'],
      ['2048Ki', '2Mi'],
      ['0.0001', '100u'],
    ];
    for (const [input, want] of cases) {
      assert.equal(Quantity.parse(input).toString(), want, input);
      assert.equal(Quantity.parse(`-${input}`).toString(), `-${want}`, `-${input}`);
    }
  });

  it('serialises to JSON as its string', () => {
    assert.equal(JSON.stringify({ storage: Quantity.parse('1024Mi') }), '{"storage":"1Gi"}');
  });
});

describe('Quantity arithmetic', () => {
  it('compares as upstream TestQuantityCmp', () => {
    const cases: [string, string, number][] = [
      ['0', '0', 0],
      ['100m', '50m', 1],
      ['50m', '100m', -1],
      ['10000T', '100Gi', 1],
      ['1Gi', '1024Mi', 0],
      ['1G', '1Gi', -1],
      ['-1', '1m', -1],
    ];
    for (const [x, y, want] of cases) {
      assert.equal(Quantity.parse(x).cmp(Quantity.parse(y)), want, `${x} vs ${y}`);
      assert.equal(Quantity.parse(y).cmp(Quantity.parse(x)), -want || 0, `${y} vs ${x}`);
    }
  });

  it('preserves the suffix when adding or subtracting zero', () => {
    const zero = Quantity.parse('0');
    for (const v of ['100m', '1Gi']) {
      const q = Quantity.parse(v);
      assert.equal(q.add(zero).toString(), v);
      assert.equal(zero.add(q).toString(), v);
      assert.equal(q.sub(zero).toString(), v);
      assert.equal(zero.sub(q).toString(), q.neg().toString());
    }
  });

  it('adds and subtracts exactly', () => {
    assert.equal(Quantity.parse('1Gi').add(Quantity.parse('512Mi')).toString(), '1536Mi');
    assert.equal(Quantity.parse('1').sub(Quantity.parse('1m')).toString(), '999m');
    assert.equal(Quantity.parse('0.1').add(Quantity.parse('0.2')).cmp(Quantity.parse('300m')), 0);
    assert.equal(Quantity.parse('1Gi').sub(Quantity.parse('1Gi')).isZero(), true);
  });

  it('negates as upstream TestQuantityNeg', () => {
    assert.equal(dec(901, -2).neg().toString(), '-9010m');
  });

  it('rounds up as upstream TestQuantityRoundUp', () => {
    const cases: [string, number, Quantity, boolean][] = [
      ['9.01', -3, dec(901, -2), true],
      ['9.01', -2, dec(901, -2), true],
      ['9.01', -1, dec(91, -1), false],
      ['9.01', 0, dec(10, 0), false],
      ['9.01', 1, dec(10, 0), false],
      ['9.01', 2, dec(100, 0), false],
      ['-9.01', -3, dec(-901, -2), true],
      ['-9.01', -1, dec(-91, -1), false],
      ['-9.01', 0, dec(-10, 0), false],
      ['-9.01', 2, dec(-100, 0), false],
    ];
    for (const [input, scale, want, exact] of cases) {
      const r = Quantity.parse(input).roundUp(scale);
      assert.equal(r.exact, exact, `${input} ${scale}`);
      assert.equal(r.quantity.cmp(want), 0, `${input} ${scale}: ${r.quantity.toString()}`);
    }
  });

  it('reports values rounded away from zero', () => {
    assert.equal(Quantity.parse('1.5').value(), 2n);
    assert.equal(Quantity.parse('-1.5').value(), -2n);
    assert.equal(Quantity.parse('1Gi').value(), 1073741824n);
    assert.equal(Quantity.parse('100m').milliValue(), 100n);
    assert.equal(Quantity.parse('1.0001m').milliValue(), 2n);
    assert.equal(Quantity.parse('2').milliValue(), 2000n);
  });

  it('reports sign and zero', () => {
    assert.equal(Quantity.parse('0Gi').isZero(), true);
    assert.equal(Quantity.parse('-1m').sign(), -1);
    assert.equal(Quantity.parse('1n').sign(), 1);
    assert.equal(Quantity.parse('0').sign(), 0);
  });
});
