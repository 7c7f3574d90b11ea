import { ideaDescription, keywordList, matchIdeaClusters, parseIdeas } from '../../functions/generate-ideas/answer';
import { clusterKeywordsLine, clusterLine } from '../../functions/generate-ideas/prompt';
import { ModelOutputError } from '../../activities/answer-parsing/parse-answer';

describe('parseIdeas', () => {
  it('maps a full idea of the documented format, the outline object becoming its JSON text', () => {
    const outline = { introduction: 'Hi', sections: [{ heading: 'H2', subsections: [] }] };
    const text = JSON.stringify({
      ideas: [
        {
          title: 'The Complete Guide',
          description: outline,
          content_type: 'blog_post',
          content_structure: 'cluster_hub',
          cluster_id: 7,
          cluster_name: 'Running Shoes',
          estimated_word_count: 2200,
          covered_keywords: 'a, b',
        },
      ],
    });
    expect(parseIdeas(text)).toEqual([
      {
        title: 'The Complete Guide',
        description: JSON.stringify(outline),
        content_type: 'blog_post',
        content_structure: 'cluster_hub',
        cluster_id: 7,
        cluster_name: 'Running Shoes',
        estimated_word_count: 2200,
        target_keywords: 'a, b',
      },
    ]);
  });

  it('fills the documented defaults for an idea with only a title', () => {
    expect(parseIdeas('{"ideas":[{"title":"Only a title"}]}')).toEqual([
      {
        title: 'Only a title',
        description: '',
        content_type: 'blog_post',
        content_structure: 'supporting_page',
        estimated_word_count: 1500,
        target_keywords: '',
      },
    ]);
  });

  it('reads numbers given as text and normalises kinds', () => {
    const [idea] = parseIdeas('{"ideas":[{"title":"T","cluster_id":"12","estimated_word_count":"1,800","content_type":"Blog Post","content_structure":"pillar-page"}]}');
    expect(idea).toMatchObject({ cluster_id: 12, estimated_word_count: 1800, content_type: 'blog_post', content_structure: 'pillar_page' });
  });

  it('ignores a cluster id or word count that is not a number', () => {
    const [idea] = parseIdeas('{"ideas":[{"title":"T","cluster_id":"shoes","estimated_word_count":"long","cluster_name":"  "}]}');
    expect(idea.cluster_id).toBeUndefined();
    expect(idea.cluster_name).toBeUndefined();
    expect(idea.estimated_word_count).toBe(1500);
  });

  it('replaces a word count no article has with the default', () => {
    const [zero, huge] = parseIdeas('{"ideas":[{"title":"A","estimated_word_count":0},{"title":"B","estimated_word_count":5000000}]}');
    expect([zero.estimated_word_count, huge.estimated_word_count]).toEqual([1500, 1500]);
  });

  it('takes covered_keywords before target_keywords, and joins a list', () => {
    const [both, list, emptyCovered] = parseIdeas(
      JSON.stringify({
        ideas: [
          { title: 'A', covered_keywords: 'x, y', target_keywords: 'z' },
          { title: 'B', target_keywords: [' x ', 'y', ''] },
          { title: 'C', covered_keywords: '', target_keywords: 'z' },
        ],
      }),
    );
    expect([both.target_keywords, list.target_keywords, emptyCovered.target_keywords]).toEqual(['x, y', 'x, y', 'z']);
  });

  it('accepts the answer inside fences after prose, and a bare array', () => {
    expect(parseIdeas('Here you go:\n```json\n{"ideas":[{"title":"T"}]}\n```')).toHaveLength(1);
    expect(parseIdeas('[{"title":"A"},{"title":"B"}]').map((i) => i.title)).toEqual(['A', 'B']);
  });

  it('rejects prose with a message saying what was expected', () => {
    expect(() => parseIdeas('Here are some great ideas for your blog.')).toThrow(ModelOutputError);
    expect(() => parseIdeas('Here are some great ideas for your blog.')).toThrow(/not JSON: expected \{"ideas": \[\{"title"/);
  });

  it('rejects an idea without a title, naming where', () => {
    expect(() => parseIdeas('{"ideas":[{"title":"ok"},{"description":"no title"}]}')).toThrow(/wrong shape at ideas\.1\.title/);
  });

  it('rejects JSON without an ideas list', () => {
    expect(() => parseIdeas('{"clusters":[]}')).toThrow(/expected \{"ideas"/);
  });
});

describe('ideaDescription', () => {
  it('keeps text, writes objects and lists as JSON and other values as text', () => {
    expect(ideaDescription('An outline')).toBe('An outline');
    expect(ideaDescription({ a: 1 })).toBe('{"a":1}');
    expect(ideaDescription(['x', 'y'])).toBe('["x","y"]');
    expect(ideaDescription(42)).toBe('42');
    expect(ideaDescription(true)).toBe('true');
    expect(ideaDescription(null)).toBe('');
    expect(ideaDescription(undefined)).toBe('');
  });
});

describe('keywordList', () => {
  it('trims text and joins lists without empty entries', () => {
    expect(keywordList('  a, b ')).toBe('a, b');
    expect(keywordList(['a', 2, null, ' '])).toBe('a, 2');
    expect(keywordList(undefined)).toBe('');
  });
});

describe('matchIdeaClusters', () => {
  const clusters = [
    { id: 10, name: 'Running Shoes' },
    { id: 20, name: 'Marathon  Training' },
    { id: 30, name: 'Trail Running' },
  ];

  it('matches by cluster_id when it is one of the run clusters', () => {
    expect(matchIdeaClusters([{ cluster_id: 30, cluster_name: 'Running Shoes' }], clusters)).toEqual([30]);
  });

  it('falls back to cluster_name, case- and space-insensitively, when the id is not the run’s', () => {
    expect(matchIdeaClusters([{ cluster_id: 999, cluster_name: ' marathon training ' }, { cluster_name: 'TRAIL RUNNING' }], clusters)).toEqual([20, 30]);
  });

  it('falls back to position, wrapping round, when neither matches', () => {
    const ideas = [{}, { cluster_name: 'Unknown' }, { cluster_id: 5 }, {}, {}];
    expect(matchIdeaClusters(ideas, clusters)).toEqual([10, 20, 30, 10, 20]);
  });

  it('counts every idea for position, also those matched otherwise', () => {
    expect(matchIdeaClusters([{ cluster_id: 30 }, {}], clusters)).toEqual([30, 20]);
  });

  it('gives a name shared by two clusters to the first', () => {
    expect(matchIdeaClusters([{ cluster_name: 'dup' }], [{ id: 1, name: 'Dup' }, { id: 2, name: 'dup' }])).toEqual([1]);
  });
});

describe('cluster lines of the prompt', () => {
  const cluster = { id: 4, name: 'Running\nShoes', description: 'Shoes for\n  every runner. ', keywords: ['best running shoes', 'trail shoes'] };

  it('writes the documented formats, one line per cluster', () => {
    expect(clusterLine(cluster)).toBe('Cluster ID: 4 | Name: Running Shoes | Description: Shoes for every runner.');
    expect(clusterKeywordsLine(cluster)).toBe('Cluster ID: 4 | Name: Running Shoes | Keywords: best running shoes, trail shoes');
  });

  it('writes an empty keyword list for a cluster without keywords', () => {
    expect(clusterKeywordsLine({ ...cluster, keywords: [] })).toBe('Cluster ID: 4 | Name: Running Shoes | Keywords: ');
  });
});
