import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROVIDER_TEST_KEYS } from './support/provider-keys';
import { leakedKeys, readSuiteLog } from './support/suite-log';

describe('provider keys stay out of histories and logs', () => {
  const dir = path.join(__dirname, 'replay', 'histories');

  it.each((readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')))('recorded history %s holds no provider key', (file) => {
    expect(leakedKeys(readFileSync(path.join(dir, file), 'utf8'), PROVIDER_TEST_KEYS)).toEqual([]);
  });

  it('the log lines written so far hold no provider key (the global teardown checks the whole suite log)', () => {
    expect(leakedKeys(readSuiteLog(), PROVIDER_TEST_KEYS)).toEqual([]);
  });
});
