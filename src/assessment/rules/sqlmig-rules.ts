/**
 * Managed Instance differences that Microsoft's rule list does not cover, as sqlmig rules: In-Memory
 * OLTP on General Purpose, CmdExec and ActiveX Script job steps, file-based backups, certificates and audits, extended
 * procedures, user messages, TDE, and the instance objects a database restore does not carry.
 */
import { differencesPage } from './microsoft-rules.js';
import type { AssessmentRule } from './rule.js';

const differences = (anchor: string): string => `${differencesPage}#${anchor}`;

export const sqlmigRules: readonly AssessmentRule[] = [
  {
    id: 'MemoryOptimizedTables',
    title: 'In-Memory OLTP needs Business Critical',
    scope: 'database',
    category: 'issue',
    blocksRestore: true,
    detects:
      'MEMORY_OPTIMIZED_DATA filegroups, tables and table types WITH (MEMORY_OPTIMIZED = ON).',
    fix: 'Target Business Critical, or convert the objects to disk-based tables and remove the MEMORY_OPTIMIZED_DATA filegroup before the backup: General Purpose refuses to restore a database that has one.',
    docsUrl:
      'https://learn.microsoft.com/en-us/azure/azure-sql/managed-instance/resource-limits#service-tier-characteristics',
    tiers: ['GeneralPurpose', 'NextGenGeneralPurpose'],
    detection: 'both',
    origin: 'sqlmig',
  },
  {
    id: 'CmdExecJob',
    title: 'Operating system (CmdExec) job steps do not run on Azure SQL Managed Instance',
    scope: 'instance',
    category: 'warning',
    blocksRestore: false,
    detects: 'SQL Server Agent job steps of subsystem CmdExec.',
    fix: 'Move the command to Azure Automation or another scheduler outside the instance, and remove the step.',
    docsUrl: differences('sql-server-agent'),
    detection: 'both',
    origin: 'sqlmig',
  },
  {
    id: 'ActiveScriptingJob',
    title: 'ActiveX Script job steps do not run on Azure SQL Managed Instance',
    scope: 'instance',
    category: 'warning',
    blocksRestore: false,
    detects:
      'SQL Server Agent job steps of subsystem ActiveScripting (VBScript or JScript; the subsystem was removed in SQL Server 2016).',
    fix: 'Rewrite the step in T-SQL, or move the script to Azure Automation or another scheduler outside the instance, and remove the step.',
    docsUrl: differences('sql-server-agent'),
    detection: 'both',
    origin: 'sqlmig',
  },
  {
    id: 'BackupToDisk',
    title: 'Backups go to URL only',
    scope: 'database',
    category: 'issue',
    blocksRestore: false,
    detects: 'BACKUP DATABASE or BACKUP LOG to DISK, TAPE or a backup device.',
    fix: 'The instance takes its own backups; for a copy use BACKUP DATABASE … TO URL … WITH COPY_ONLY, and drop maintenance jobs that back up to disk.',
    docsUrl: differences('backup'),
    detection: 'scripts',
    origin: 'sqlmig',
  },
  {
    id: 'CertificateFile',
    title: 'Certificates and keys cannot be read from or written to files',
    scope: 'database',
    category: 'issue',
    blocksRestore: false,
    detects:
      'CREATE CERTIFICATE … FROM FILE / EXECUTABLE FILE, private keys from files, BACKUP CERTIFICATE / MASTER KEY … TO FILE.',
    fix: 'Create certificates FROM BINARY = 0x… with the private key as BINARY too (CERTENCODED / CERTPRIVATEKEY give the bytes).',
    docsUrl: differences('certificates'),
    detection: 'scripts',
    origin: 'sqlmig',
  },
  {
    id: 'ServerAuditToFile',
    title: 'Server audits write to Azure Blob Storage, not to files',
    scope: 'instance',
    category: 'issue',
    blocksRestore: false,
    detects:
      'CREATE SERVER AUDIT or ALTER SERVER AUDIT … TO FILE (or TO APPLICATION_LOG / SECURITY_LOG).',
    fix: 'Re-create the audit TO URL (a blob container) or TO EXTERNAL_MONITOR after the migration; audits are instance objects the restore does not bring.',
    docsUrl: differences('auditing'),
    detection: 'both',
    origin: 'sqlmig',
  },
  {
    id: 'ExtendedStoredProcedure',
    title: 'Extended stored procedures are not supported',
    scope: 'instance',
    category: 'issue',
    blocksRestore: false,
    detects: 'sp_addextendedproc (a DLL registered as a procedure).',
    fix: 'Replace the DLL with a CLR procedure or with work done outside the instance.',
    docsUrl: differences('stored-procedures-functions-and-triggers'),
    detection: 'both',
    origin: 'sqlmig',
  },
  {
    id: 'UserDefinedMessages',
    title: 'User-defined messages live in master and are not migrated',
    scope: 'instance',
    category: 'warning',
    blocksRestore: false,
    detects:
      'sp_addmessage (messages numbered from 50001, kept in the instance, not in the database).',
    fix: 'Run the sp_addmessage script against the Managed Instance before the application uses RAISERROR with those numbers.',
    docsUrl: differences('stored-procedures-functions-and-triggers'),
    detection: 'both',
    origin: 'sqlmig',
  },
  {
    id: 'TdeCertificate',
    title: 'A TDE-protected database needs its certificate on the target first',
    scope: 'database',
    category: 'warning',
    blocksRestore: false,
    detects:
      'Databases encrypted with Transparent Data Encryption (CREATE DATABASE ENCRYPTION KEY, ALTER DATABASE … SET ENCRYPTION ON).',
    fix: 'Migrate the server certificate that protects the database encryption key to the instance (PVK → PFX → Add-AzSqlManagedInstanceTransparentDataEncryptionCertificate) before the restore starts, or the restore fails.',
    docsUrl:
      'https://learn.microsoft.com/en-us/azure/azure-sql/managed-instance/tde-certificate-migrate',
    detection: 'both',
    origin: 'sqlmig',
  },
  {
    id: 'InstanceObjectsNotMigrated',
    title:
      'Agent jobs, logins, credentials, linked servers, audits and SSIS packages are not migrated',
    scope: 'instance',
    category: 'warning',
    blocksRestore: false,
    detects:
      'Instance-level objects on the source (msdb jobs, operators and alerts, logins, credentials, linked servers, server audits, SSIS packages in msdb or SSISDB): a database restore brings none of them.',
    fix: 'Script them from the source and re-create them on the instance (logins with their SIDs) or move SSIS to Azure Data Factory; sqlmig lists them so that none is forgotten.',
    docsUrl: differences('sql-server-agent'),
    detection: 'live',
    origin: 'sqlmig',
  },
];
