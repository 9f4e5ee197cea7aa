/** The page of the wizard for a step. */
import type { WizardStep } from '../../api-contract/index.js';
import { AssessmentStep } from './assessment-step.js';
import { BackupStep } from './backup-step.js';
import { DatabasesStep } from './databases-step.js';
import { RuntimeStep } from './runtime-step.js';
import { SkuStep } from './sku-step.js';
import { SourceStep } from './source-step.js';
import type { StepProps } from './step-props.js';
import { SummaryStep } from './summary-step.js';
import { TargetStep } from './target-step.js';

export function StepView({ step, ...props }: StepProps & { step: WizardStep }) {
  switch (step) {
    case 'source':
      return <SourceStep {...props} />;
    case 'databases':
      return <DatabasesStep {...props} />;
    case 'assessment':
      return <AssessmentStep {...props} />;
    case 'sku':
      return <SkuStep {...props} />;
    case 'target':
      return <TargetStep {...props} />;
    case 'backup':
      return <BackupStep {...props} />;
    case 'runtime':
      return <RuntimeStep {...props} />;
    case 'summary':
      return <SummaryStep {...props} />;
  }
}
