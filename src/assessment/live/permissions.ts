/**
 * The login's permissions, checked before anything is collected: what it lacks is named with the
 * GRANT that gives it (a member of sysadmin has everything). VIEW SERVER STATE shows the DMVs (TDE's
 * sys.dm_database_encryption_keys); VIEW ANY DEFINITION every catalog row (sys.master_files, logins,
 * linked servers, module definitions); msdb's job tables need a user in msdb with SELECT on them; a
 * database's catalog needs CONNECT to it (CONNECT ANY DATABASE from SQL Server 2014).
 */
import { quoteName } from '../../sql/index.js';
import { AssessmentError } from '../errors.js';
import { flag, text } from './live-hit.js';
import type { SqlVersion } from './sql-version.js';

export interface LoginPermissions {
  readonly login: string;
  readonly sysadmin: boolean;
  readonly viewServerState: boolean;
  readonly viewAnyDefinition: boolean;
  readonly msdbConnect: boolean;
  readonly msdbJobs: boolean;
}

export function permissionsOf(row: Readonly<Record<string, unknown>>): LoginPermissions {
  return {
    login: text(row.login),
    sysadmin: flag(row.sysadmin),
    viewServerState: flag(row.viewServerState),
    viewAnyDefinition: flag(row.viewAnyDefinition),
    msdbConnect: flag(row.msdbConnect),
    msdbJobs: flag(row.msdbJobs) && flag(row.msdbJobSteps),
  };
}

/** Throws `PermissionDenied` naming each missing permission, why it is needed and its GRANT. */
export function requirePermissions(
  server: string,
  version: SqlVersion,
  permissions: LoginPermissions,
  deniedDatabases: readonly string[],
): void {
  if (permissions.sysadmin) return;
  const login = quoteName(permissions.login || 'the login');
  const missing: string[] = [];
  const grants: string[] = [];
  if (!permissions.viewServerState) {
    missing.push('VIEW SERVER STATE (TDE states in sys.dm_database_encryption_keys)');
    grants.push(`GRANT VIEW SERVER STATE TO ${login};`);
  }
  if (!permissions.viewAnyDefinition) {
    missing.push(
      'VIEW ANY DEFINITION (database sizes, logins, linked servers, credentials and module definitions)',
    );
    grants.push(`GRANT VIEW ANY DEFINITION TO ${login};`);
  }
  if (!permissions.msdbConnect || !permissions.msdbJobs) {
    missing.push('access to msdb (SQL Server Agent jobs and their steps)');
    if (!permissions.msdbConnect) grants.push(`USE msdb; CREATE USER ${login} FOR LOGIN ${login};`);
    grants.push(
      `USE msdb; GRANT SELECT ON dbo.sysjobs TO ${login}; GRANT SELECT ON dbo.sysjobsteps TO ${login};`,
    );
  }
  if (deniedDatabases.length > 0) {
    missing.push(`CONNECT to ${deniedDatabases.join(', ')} (their catalog views)`);
    if (version.major >= 12) grants.push(`GRANT CONNECT ANY DATABASE TO ${login};`);
    else
      for (const db of deniedDatabases)
        grants.push(`USE ${quoteName(db)}; CREATE USER ${login} FOR LOGIN ${login};`);
  }
  if (missing.length === 0) return;
  throw new AssessmentError(
    'PermissionDenied',
    server,
    [
      `The login ${permissions.login} on ${server} lacks what the live assessment reads: ${missing.join('; ')}.`,
      'Run as a member of sysadmin, then assess again (or assess with a sysadmin login):',
      ...grants.map((g) => `  ${g}`),
    ].join('\n'),
  );
}
