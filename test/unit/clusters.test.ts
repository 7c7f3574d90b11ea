import { matchClusterKeywords, parseClusters } from '../../functions/auto-cluster/answer';
import { ModelOutputError } from '../../activities/answer-parsing/parse-answer';

describe('parseClusters', () => {
  it('accepts {"clusters": [...]} and fills defaults', () => {
    expect(parseClusters('{"clusters":[{"name":"Shoes","keywords":["a"]}]}')).toEqual([{ name: 'Shoes', description: '', keywords: ['a'] }]);
  });

  it('accepts a bare array inside fences after prose', () => {
    const text = 'Here are the clusters:\n```json\n[{"name":"Plans","description":"d","keywords":["x","y"]}]\n```';
    expect(parseClusters(text)).toEqual([{ name: 'Plans', description: 'd', keywords: ['x', 'y'] }]);
  });

  it('rejects prose with a message saying what was expected', () => {
    expect(() => parseClusters('These keywords are about running.')).toThrow(ModelOutputError);
    expect(() => parseClusters('These keywords are about running.')).toThrow(/expected \{"clusters"/);
  });

  it('rejects a cluster without a name, naming where', () => {
    expect(() => parseClusters('{"clusters":[{"keywords":["a"]}]}')).toThrow(/wrong shape/);
  });
});

describe('matchClusterKeywords', () => {
  const keywords = [
    { id: 1, keyword: 'Best Running Shoes' },
    { id: 2, keyword: 'trail running' },
    { id: 3, keyword: 'marathon plan' },
  ];

  it('matches case-insensitively and ignores unknown strings', () => {
    const clusters = [
      { name: 'Shoes', description: '', keywords: ['best running shoes', 'TRAIL  RUNNING', 'unknown'] },
      { name: 'Plans', description: '', keywords: [' Marathon Plan '] },
    ];
    expect(matchClusterKeywords(clusters, keywords)).toEqual([[1, 2], [3]]);
  });

  it('gives a keyword claimed twice to the first cluster', () => {
    const clusters = [
      { name: 'A', description: '', keywords: ['marathon plan'] },
      { name: 'B', description: '', keywords: ['marathon plan', 'trail running'] },
    ];
    expect(matchClusterKeywords(clusters, keywords)).toEqual([[3], [2]]);
  });
});
