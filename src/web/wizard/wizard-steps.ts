/**
 * The wizard's pages in the reference order, with their titles and what each needs before "Next"
 * (the service checks again at the start; this only says early what is missing).
 */
import type {
  SessionSteps,
  SourceConnectionInput,
  SourceConnectionSettings,
  WizardStep,
} from '../../api-contract/index.js';

/** Each page's title, in the reference order (which `stepOrder` takes). */
export const stepTitles: Readonly<Record<WizardStep, string>> = {
  source: 'Source connection',
  databases: 'Databases',
  assessment: 'Assessment',
  sku: 'SKU recommendation',
  target: 'Target',
  backup: 'Mode and backups',
  runtime: 'Migration service',
  summary: 'Summary',
};

/**
 * The pages in order: the titles' keys, written in the reference order. The web app takes only types
 * from the API contract, so the contract's list of steps is not imported; the `Record` type makes
 * the titles name every step the contract has, and no other.
 */
export const stepOrder = Object.keys(stepTitles) as readonly WizardStep[];

/** The passwords and keys the wizard holds in memory only (never saved, never in storage). */
export interface Secrets {
  readonly sourcePassword: string;
  readonly sharePassword: string;
  readonly storageAccountKey: string;
}

export const noSecrets: Secrets = { sourcePassword: '', sharePassword: '', storageAccountKey: '' };

/** The connection with the password typed on this visit, if any (the service asks for a missing one). */
export function withPassword(
  connection: SourceConnectionSettings,
  secrets: Secrets,
): SourceConnectionInput {
  return secrets.sourcePassword ? { ...connection, password: secrets.sourcePassword } : connection;
}

/** What keeps `step` from being left forward, or null. */
export function missingOn(step: WizardStep, steps: SessionSteps): string | null {
  switch (step) {
    case 'source': {
      const source = steps.source;
      if (!source) return 'Choose how to reach the source.';
      if (source.mode === 'backupsOnly') return null;
      if (!source.connection?.dataSource) return 'Give the server.';
      if (!source.checked) return 'Connect first ("Test connection") to check the login.';
      return null;
    }
    case 'databases':
      return (steps.databases?.selected.length ?? 0) > 0 ? null : 'Choose at least one database.';
    case 'sku': {
      const sku = steps.sku;
      if (!sku) return null;
      if (!(sku.percentile >= 1 && sku.percentile <= 100))
        return 'The percentile is a whole number from 1 to 100.';
      if (!(sku.scalingFactorPercent >= 1 && sku.scalingFactorPercent <= 1000))
        return 'The scaling factor is a whole number of percent from 1 to 1000.';
      return null;
    }
    case 'target':
      return steps.target ? null : 'Choose the target.';
    case 'backup':
      return missingOnBackup(steps);
    case 'runtime':
      return steps.runtime ? null : 'Choose the migration service.';
    default:
      return null;
  }
}

function missingOnBackup(steps: SessionSteps): string | null {
  const backup = steps.backup;
  if (!backup || backup.databases.length === 0) return 'Give the backup location of each database.';
  const names = new Set<string>();
  for (const db of backup.databases) {
    const target = db.targetDbName.trim();
    if (!target) return `Give the target database name of ${db.sourceDatabaseName}.`;
    if (names.has(target.toLowerCase()))
      return `Two databases would be restored as ${target}; give each its own target name.`;
    names.add(target.toLowerCase());
    if (backup.location === 'fileShare' && !db.backupFolder?.trim())
      return `Give the backup folder of ${db.sourceDatabaseName} (one folder per database).`;
  }
  return null;
}
