import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';

export type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;
export type HistoryEvent = NonNullable<History['events']>[number];

/**
 * One local activity as its marker tells it: the attempt that ended it (attempts made by a worker
 * that died leave nothing), the worker whose workflow task recorded it, and its result or failure.
 */
export interface LocalActivityRun {
  type: string;
  attempt: number;
  scheduledAt: number;
  closedAt: number;
  closedAs: 'completed' | 'failed';
  /** The identity of the worker that completed the workflow task holding the marker. */
  identity?: string;
  /** The result payloads' text (JSON). */
  results: string[];
}

export function localActivityRuns(events: HistoryEvent[], type?: string): LocalActivityRun[] {
  const runs: LocalActivityRun[] = [];
  let identity: string | undefined;
  for (const event of events) {
    const completed = event.workflowTaskCompletedEventAttributes;
    if (completed) identity = completed.identity ?? undefined;
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') continue;
    const raw = marker.details?.data?.payloads?.[0]?.data;
    if (!raw) continue;
    const data = JSON.parse(Buffer.from(raw).toString('utf8')) as {
      attempt: number;
      activity_type: string;
      original_schedule_time?: { seconds: number; nanos: number };
      complete_time?: { seconds: number; nanos: number };
    };
    const at = (time?: { seconds: number; nanos: number }) => (time ? time.seconds * 1000 + Math.round(time.nanos / 1e6) : tsToMs(event.eventTime));
    runs.push({
      type: data.activity_type,
      attempt: data.attempt,
      scheduledAt: at(data.original_schedule_time),
      closedAt: at(data.complete_time),
      closedAs: marker.failure ? 'failed' : 'completed',
      identity,
      results: (marker.details?.result?.payloads ?? []).map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')),
    });
  }
  return type === undefined ? runs : runs.filter((r) => r.type === type);
}
