/**
 * The source login's password, asked again on the pages that read the source when it was not typed
 * on this visit (a resumed session): held in memory only, like on the first page.
 */
import { useId } from 'react';

import type { StepProps } from './step-props.js';

export function SourcePasswordField({
  steps,
  secrets,
  setSecret,
}: Pick<StepProps, 'steps' | 'secrets' | 'setSecret'>) {
  const id = useId();
  const connection = steps.source?.mode === 'connection' ? steps.source.connection : undefined;
  if (!connection) return null;
  return (
    <div className="inline-form source-password">
      <label htmlFor={`${id}-password`}>
        Password of {connection.userName ?? 'the login'} on {connection.dataSource}
      </label>
      <input
        id={`${id}-password`}
        type="password"
        autoComplete="new-password"
        value={secrets.sourcePassword}
        aria-describedby={`${id}-hint`}
        onChange={(e) => {
          setSecret('sourcePassword', e.target.value);
        }}
      />
      <span id={`${id}-hint`} className="hint">
        Never saved: asked again after a session is resumed.
      </span>
    </div>
  );
}
