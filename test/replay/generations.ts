import path from 'node:path';

export const HISTORIES_DIR = path.join(__dirname, 'histories');

/** What a scenario recorded: its run's history and, when it starts child runs, one per child. */
export interface RecordedNames {
  name: string;
  /** How many child runs the scenario's run starts; each child's history is recorded beside it. */
  children?: number;
}

/** The file names a list of scenarios records, sorted. */
export function recordedFiles(scenarios: readonly RecordedNames[]): string[] {
  return scenarios
    .flatMap((s) => [`${s.name}.json`, ...Array.from({ length: s.children ?? 0 }, (_, i) => childFile(s.name, i))])
    .sort();
}

export function childFile(scenario: string, index: number): string {
  return `${scenario}.child-${index + 1}.json`;
}

/**
 * Each deliberate change to workflow commands keeps the histories recorded before it in a folder
 * of their own, with the scenarios they were recorded from, so runs open across a deploy replay.
 */
export const EARLIER_GENERATIONS: { folder: string; before: string; scenarios: RecordedNames[] }[] = [
  {
    folder: 'regular-database-steps',
    before: 'the database steps became local activities',
    scenarios: ['auto-cluster-cancelled', 'auto-cluster-failure-missing-settings', 'auto-cluster-success', 'generate-content-batch-with-failed-item', 'generate-ideas-success'].map((name) => ({ name })),
  },
  {
    folder: 'local-database-steps',
    before: "a batch's items ran side by side",
    scenarios: ['auto-cluster-cancelled', 'auto-cluster-failure-missing-settings', 'auto-cluster-success', 'generate-content-batch-with-failed-item', 'generate-ideas-success'].map((name) => ({ name })),
  },
];
