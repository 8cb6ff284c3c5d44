// Cases from upstream fields/selector_test.go.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  escapeFieldValue,
  fieldSelectorFromSet,
  parseFieldSelector,
  unsupportedFieldLabel,
} from './fields.ts';

describe('parseFieldSelector', () => {
  it('parses and prints upstream examples', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['a=b', 'a=b'],
      ['a==b', 'a=b'],
      ['a!=b', 'a!=b'],
      ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
      ['z=c,x=a', 'x=a,z=c'],
      ['x=a\\,b', 'x=a\\,b'],
      ['x=a\\=b', 'x=a\\=b'],
      ['x=a\\\\b', 'x=a\\\\b'],
      ['x=', 'x='],
      ['metadata.name=foo,spec.nodeName=', 'metadata.name=foo,spec.nodeName='],
    ];
    for (const [input, want] of cases) assert.equal(parseFieldSelector(input).toString(), want, input);
  });

  it('unescapes values', () => {
    const sel = parseFieldSelector('x=a\\,b\\=c\\\\d');
    assert.deepEqual(sel.requirements, [{ field: 'x', operator: '=', value: 'a,b=c\\d' }]);
    assert.equal(escapeFieldValue('a,b=c\\d'), 'a\\,b\\=c\\\\d');
  });

  it('rejects bad selectors with upstream messages', () => {
    const cases: [string, string][] = [
      ['x', "invalid selector: 'x'; can't understand 'x'"],
      ['x=a,y', "invalid selector: 'x=a,y'; can't understand 'y'"],
      ['x=a=b', 'invalid field selector: unescaped character in value: 61'],
      ['x=a\\b', 'invalid field selector: invalid escape sequence: \\b'],
      ['x=a\\', 'invalid field selector: invalid escape sequence: \\'],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => parseFieldSelector(input), { name: 'FieldSelectorParseError', message }, input);
    }
  });
});

describe('FieldSelector.matches', () => {
  it('matches equal and not-equal terms, treating a missing field as empty', () => {
    const fields = { 'metadata.name': 'foo', 'spec.nodeName': '' };
    assert.equal(parseFieldSelector('metadata.name=foo').matches(fields), true);
    assert.equal(parseFieldSelector('metadata.name!=foo').matches(fields), false);
    assert.equal(parseFieldSelector('spec.nodeName=').matches(fields), true);
    assert.equal(parseFieldSelector('status.phase=').matches(fields), true);
    assert.equal(parseFieldSelector('status.phase!=Running').matches(fields), true);
    assert.equal(fieldSelectorFromSet({ 'metadata.name': 'bar' }).matches(fields), false);
  });

  it('lists fields the caller does not support and prints the apiserver refusal', () => {
    const sel = parseFieldSelector('metadata.name=a,spec.foo=b');
    assert.deepEqual(sel.unsupportedFields(['metadata.name', 'metadata.namespace']), ['spec.foo']);
    assert.equal(unsupportedFieldLabel('spec.foo'), 'field label not supported: spec.foo');
    assert.equal(sel.requiresExactMatch('metadata.name'), 'a');
  });
});
