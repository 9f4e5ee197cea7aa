/**
 * Every page of the app, in one list: its address pattern, its title, whether the top navigation
 * links to it, and what it shows. Adding a page is adding an entry here (see `src/web/README.md`).
 */
import type { ReactNode } from 'react';

import { DashboardPage } from '../dashboard/dashboard-page.js';
import { MigrationPage } from '../dashboard/migration-page.js';
import { WizardHomePage } from '../wizard/wizard-home-page.js';
import { WizardPage } from '../wizard/wizard-page.js';

export interface Page {
  /** `/migrations/:service/:name`: each `:name` segment becomes a parameter. */
  readonly path: string;
  /** The tab's title (`sqlmig — …`). */
  readonly title: string;
  /** The label of the top navigation's link to it; pages without one are reached by links. */
  readonly nav?: string;
  readonly render: (params: Readonly<Record<string, string>>) => ReactNode;
}

export const pages: readonly Page[] = [
  { path: '/', title: 'Dashboard', nav: 'Dashboard', render: () => <DashboardPage /> },
  {
    path: '/migrations/:service/:name',
    title: 'Migration',
    render: (p) => (
      <MigrationPage serviceName={p['service'] ?? ''} targetDbName={p['name'] ?? ''} />
    ),
  },
  { path: '/new', title: 'New migration', nav: 'New migration', render: () => <WizardHomePage /> },
  {
    path: '/new/:sessionId',
    title: 'New migration',
    render: (p) => <WizardPage sessionId={p['sessionId'] ?? ''} />,
  },
];
