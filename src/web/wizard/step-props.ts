/** What every page of the wizard is given: the entries so far, how to change them, the secrets. */
import type { MigrationSession, SessionSteps } from '../../api-contract/index.js';
import type { WizardApi } from './wizard-api.js';
import type { Secrets } from './wizard-steps.js';

export interface StepProps {
  readonly session: MigrationSession;
  /** The entries of every page, as edited (saved on "Next"). */
  readonly steps: SessionSteps;
  readonly change: <K extends keyof SessionSteps>(key: K, value: SessionSteps[K]) => void;
  /** Held in memory only; empty again after "Save and close". */
  readonly secrets: Secrets;
  readonly setSecret: (name: keyof Secrets, value: string) => void;
  readonly calls: WizardApi;
  /** The session as the service returned it after an action of the page (the start). */
  readonly onSession: (session: MigrationSession) => void;
}
