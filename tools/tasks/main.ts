import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../db/client';
import { HttpError } from '../../api/errors';
import { isDatabaseUnavailable } from '../../api/unavailable';
import { actionJson, actionText, runAction } from './act';
import { isBulkAction, parseCommand, USAGE, UsageError, type Command } from './arguments';
import { listTasks, listText } from './list';
import { openDatabase, openTemporal, readTasksSettings } from './settings';
import { showTask, showText } from './show';
import { estimateText } from './estimate';
import { estimateStart } from '../../api/services/task-estimate';

/**
 * `npm run tasks -- list|show|retry|reset|reparse|cancel|estimate …`: the operators' view of runs, through the
 * service's own code (its database, its Temporal client, task-control.ts). Exit codes: 0 done, 1 a
 * failure (or a named task that does not exist), 2 a usage error.
 */
async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err);
    throw err;
  }
  if (command.name === 'help') {
    console.log(USAGE);
    return 0;
  }

  const settings = readTasksSettings();
  const prisma = openDatabase(settings);
  let temporal: Client | undefined;
  try {
    switch (command.name) {
      case 'list': {
        const listed = await listTasks(prisma, command.filter, command.limit);
        console.log(command.json ? JSON.stringify(listed.tasks) : listText(listed));
        return 0;
      }
      case 'show': {
        temporal = await openTemporal(settings, { lazy: true });
        const shown = await showTask({ prisma, temporal, settings }, command.taskId);
        if (!shown) {
          console.error(`Task ${command.taskId} not found.`);
          return 1;
        }
        console.log(command.json ? JSON.stringify(shown) : showText(shown));
        return 0;
      }
      case 'estimate': {
        const estimate = await estimateStart(prisma, command.functionName, {
          accountId: command.accountId,
          ids: command.ids,
          ...(command.promptOverride !== undefined ? { promptOverride: command.promptOverride } : {}),
        });
        console.log(command.json ? JSON.stringify(estimate) : estimateText(estimate));
        return 0;
      }
      default: {
        if (!isBulkAction(command.name)) throw new Error(`Unexpected command ${command.name}`);
        temporal = await openTemporal(settings);
        const result = await runAction(
          { prisma, temporal, taskQueue: settings.taskQueue },
          { action: command.name, taskIds: command.taskIds, filter: command.filter, limit: command.limit, json: command.json, yes: command.yes },
        );
        if (result.declined) {
          console.error('Nothing done.');
          return 1;
        }
        console.log(command.json ? actionJson(command.name, result.outcome) : actionText(command.name, result.outcome));
        if (result.unknownIds) console.error('Some tasks named do not exist (skipped as "not found").');
        return result.unknownIds ? 1 : 0;
      }
    }
  } catch (err) {
    if (err instanceof UsageError) return usageError(err);
    console.error(failureMessage(err));
    return 1;
  } finally {
    await close(prisma, temporal);
  }
}

function usageError(err: UsageError): number {
  console.error(`${err.message}\nSee npm run tasks -- --help.`);
  return 2;
}

function failureMessage(err: unknown): string {
  if (err instanceof HttpError) return err.message;
  if (isDatabaseUnavailable(err)) return 'The database does not answer: is it running, and is DATABASE_URL right?';
  // Prisma's messages quote the calling code first; the cause is the last line.
  if (err instanceof Error && err.name.startsWith('PrismaClient')) return err.message.trim().split('\n').pop()!.trim();
  return err instanceof Error ? err.message : String(err);
}

async function close(prisma: PrismaClient, temporal: Client | undefined): Promise<void> {
  await Promise.allSettled([prisma.$disconnect(), temporal?.connection.close()]);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
