import { parseSince } from '../../api/services/task-selection';
import { parseCommand, UsageError } from '../../tools/tasks/arguments';

const NOW = Date.parse('2026-12-04T12:00:00Z');

describe('since', () => {
  it('reads an age back from now and an ISO 8601 date or date-time with its offset', () => {
    expect(parseSince('2h', NOW)?.toISOString()).toBe('2026-12-04T10:00:00.000Z');
    expect(parseSince('30m', NOW)?.toISOString()).toBe('2026-12-04T11:30:00.000Z');
    expect(parseSince('7d', NOW)?.toISOString()).toBe('2026-11-27T12:00:00.000Z');
    expect(parseSince('2026-12-01', NOW)?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(parseSince('2026-12-01T09:00+01:00', NOW)?.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    // A `+` a client left unencoded in a query string arrives as a space.
    expect(parseSince('2026-12-01T09:00 01:00', NOW)?.toISOString()).toBe('2026-12-01T08:00:00.000Z');
  });

  it('refuses anything else, days that do not exist and ages past what a date holds', () => {
    for (const text of ['', 'yesterday', '2h ago', '1e3s', '-2h', '2026-13-01', '2026-02-30', '999999999w', '12/01/2026']) {
      expect(parseSince(text, NOW)).toBeUndefined();
    }
  });
});

describe('tasks command line', () => {
  it('selects by filters with the states an action applies to unless --state says otherwise', () => {
    expect(parseCommand(['retry', '--function', 'auto_cluster', '--yes'], NOW)).toMatchObject({
      name: 'retry',
      taskIds: [],
      filter: { functionName: 'auto_cluster', states: ['FAILURE', 'REVOKED'] },
      yes: true,
    });
    expect(parseCommand(['cancel', '--account', '3'], NOW)).toMatchObject({ filter: { accountId: 3, states: ['PENDING', 'PROGRESS'] } });
    expect(parseCommand(['list', '--state', 'failure,revoked', '--since', '2h'], NOW)).toMatchObject({
      name: 'list',
      limit: 50,
      filter: { states: ['FAILURE', 'REVOKED'], since: new Date(NOW - 2 * 3_600_000) },
    });
    expect(parseCommand(['retry', 'a', 'b', '--json'], NOW)).toEqual({ name: 'retry', taskIds: ['a', 'b'], json: true, yes: false });
  });

  it('calls a command line it cannot run a usage error, naming what is wrong', () => {
    const cases: Array<[string[], string]> = [
      [[], 'Name a command'],
      [['purge'], 'Unknown command "purge"'],
      [['retry'], 'Name the tasks (retry TASK_ID…) or select them with'],
      [['retry', 'a', '--state', 'FAILURE'], 'not both'],
      [['show'], 'show takes one task id'],
      [['show', 'a', '--state', 'FAILURE'], 'show does not take --state'],
      [['list', '--limit', 'ten'], '--limit takes a whole number'],
      [['list', '--account', '0'], '--account must be between 1'],
      [['list', '--function', 'summarise'], '--function "summarise" is not a function'],
      [['list', '--phase', 'LATER'], '--phase "LATER" is not a phase'],
      [['cancel', '--state', 'FAILURE'], '--state FAILURE does not apply here: this command takes PENDING or PROGRESS tasks'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseCommand(argv, NOW)).toThrow(UsageError);
      expect(() => parseCommand(argv, NOW)).toThrow(message);
    }
  });
});
