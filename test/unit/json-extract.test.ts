import { extractJson } from '../../activities/answer-parsing/json-extract';

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

  it('answers undefined when there is no JSON at all', () => {
    expect(extractJson('I could not cluster these keywords, sorry.')).toBeUndefined();
    expect(extractJson('')).toBeUndefined();
  });
});
