/**
 * PostgreSQL refuses to run as root. When this process is root (containers, CI), the embedded
 * server runs as the system user `postgres` instead, created if the machine has none, and every
 * directory it needs has to be reachable by that user.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

export type OsUser = {
  name: string;
  uid: number;
  gid: number;
  groups: number[];
};

const POSTGRES_USER = 'postgres';

function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function lookUpUser(name: string): OsUser | undefined {
  try {
    const id = (flag: string) => execFileSync('id', [flag, name], { encoding: 'utf8' }).trim();
    return {
      name,
      uid: Number(id('-u')),
      gid: Number(id('-g')),
      groups: id('-G').split(/\s+/).map(Number),
    };
  } catch {
    return undefined;
  }
}

function createSystemUser(name: string): void {
  const groupExists = (() => {
    try {
      execFileSync('getent', ['group', name], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const groupArgs = groupExists ? ['-g', name] : ['--user-group'];
  try {
    execFileSync('useradd', ['--system', ...groupArgs, '--no-create-home', '--shell', '/usr/sbin/nologin', name], {
      stdio: 'pipe',
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `PostgreSQL cannot run as root and creating the user "${name}" failed${stderr ? `: ${stderr}` : ''}. ` +
        `Create a "${name}" user, or run as a non-root user.`,
    );
  }
}

/** The user the server must run as, or undefined to run as the current user. */
export function postgresRunAs(log: (line: string) => void): OsUser | undefined {
  if (!runningAsRoot()) return undefined;
  let user = lookUpUser(POSTGRES_USER);
  if (!user) {
    log(`Creating system user "${POSTGRES_USER}" to run the embedded PostgreSQL (it refuses to run as root)`);
    createSystemUser(POSTGRES_USER);
    user = lookUpUser(POSTGRES_USER);
    if (!user) throw new Error(`Created the user "${POSTGRES_USER}" but cannot look it up`);
  }
  return user;
}

/** Throws with the directory to fix when `user` cannot walk down into the directory `target`. */
export function assertReachable(user: OsUser, target: string, what: string): void {
  let dir = path.resolve(target);
  const ancestors: string[] = [];
  for (;;) {
    ancestors.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const ancestor of ancestors) {
    let stat;
    try {
      stat = statSync(ancestor);
    } catch {
      return; // Not there yet: created later by this user's own process, inside a reachable parent.
    }
    if (!stat.isDirectory()) continue;
    const canEnter =
      stat.uid === user.uid
        ? stat.mode & 0o100
        : user.groups.includes(stat.gid)
          ? stat.mode & 0o010
          : stat.mode & 0o001;
    if (!canEnter) {
      throw new Error(
        `The embedded PostgreSQL runs as user "${user.name}", which cannot enter ${ancestor} to reach ${what}. ` +
          `Make it traversable (chmod o+x ${ancestor}) or use a directory elsewhere.`,
      );
    }
  }
}
