import { extractJson, MAX_JSON_DEPTH } from '../../activities/answer-parsing/json-extract';

describe('extractJson finds the JSON in a model answer', () => {
  it('parses a plain JSON answer', () => {
    expect(extractJson('{"clusters": []}')).toEqual({ clusters: [] });
  });

  it('reads a markdown-fenced block', () => {
    expect(extractJson('Here you go:\n```json\n{"a": 1}\n```\nEnjoy!')).toEqual({ a: 1 });
  });

  it('finds a balanced object after prose, ignoring braces inside strings', () => {
    expect(extractJson('Sure! The result is {"name": "a } tricky { name", "n": [1, {"b": 2}]} as asked.')).toEqual({
      name: 'a } tricky { name',
      n: [1, { b: 2 }],
    });
  });

  it('finds a bare array', () => {
    expect(extractJson('clusters: [{"name": "x"}] done')).toEqual([{ name: 'x' }]);
  });

  it('skips a broken candidate and takes the next valid one', () => {
    expect(extractJson('{not json} then {"ok": true}')).toEqual({ ok: true });
  });

  it('reads quotes in the prose before the JSON as prose', () => {
    expect(extractJson('He said "use {this}" and then: {"ok": true}')).toEqual({ ok: true });
  });

  it('takes a span closed inside brackets that are not JSON', () => {
    expect(extractJson('[see {"a": 1} below]')).toEqual({ a: 1 });
  });

  it('takes the first span closed inside JSON that was cut short', () => {
    expect(extractJson('{"ideas": [{"title": "A"}, {"title": "B"')).toEqual({ title: 'A' });
  });

  it('gets past a wrong closer', () => {
    expect(extractJson('{"a": [1} and then {"b": 2}')).toEqual({ b: 2 });
  });

  it('refuses JSON nested deeper than MAX_JSON_DEPTH, which could not be stringified again', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(extractJson(`{"a": ${nested(MAX_JSON_DEPTH - 1)}}`)).toEqual({ a: expect.any(Array) });
    expect(extractJson(`{"a": {"b": ${nested(MAX_JSON_DEPTH)}}}`)).toBeUndefined();
    expect(extractJson(`{"a": 1, "b": ${nested(100_000)}}`)).toBeUndefined();
  });

  it('answers undefined when there is no JSON at all', () => {
    expect(extractJson('I could not cluster these keywords, sorry.')).toBeUndefined();
    expect(extractJson('')).toBeUndefined();
  });
});
