/**
 * One wizard session: the list of pages (those reached can be gone back to), the current page, and
 * Back / Next / Save and close. Each "Next" saves the entries on the service; passwords and keys stay
 * in this page's memory only and are asked again after "Save and close". Keyboard: Enter on a field
 * goes to the next page, Escape saves and closes; the page's heading takes the focus on each page.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';

import type { MigrationSession, SessionSteps, WizardStep } from '../../api-contract/index.js';
import { ApiRequestError } from '../api/api-client.js';
import { useApi } from '../api/api-context.js';
import { ErrorMessage } from '../shell/error-message.js';
import { Link, navigate } from '../shell/router.js';
import { StepView } from './step-view.js';
import { wizardApi } from './wizard-api.js';
import { missingOn, noSecrets, stepOrder, stepTitles, type Secrets } from './wizard-steps.js';
import './wizard.css';

export function WizardPage({ sessionId }: { sessionId: string }) {
  const api = useApi();
  const calls = useMemo(() => wizardApi(api), [api]);
  const [session, setSession] = useState<MigrationSession | null>(null);
  const [draft, setDraft] = useState<SessionSteps>({});
  const [step, setStep] = useState<WizardStep>('source');
  const [secrets, setSecrets] = useState<Secrets>(noSecrets);
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The furthest page reached on this visit or before: the page list links up to it. */
  const [furthest, setFurthest] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    calls.getSession(sessionId).then(
      (found) => {
        if (!live) return;
        setSession(found);
        setDraft(found.steps);
        setStep(found.step);
      },
      (failure: unknown) => {
        if (live) setError(asApiError(failure));
      },
    );
    return () => {
      live = false;
    };
  }, [calls, sessionId]);

  useEffect(() => {
    heading.current?.focus();
  }, [step, session?.id]);

  const change = useCallback(<K extends keyof SessionSteps>(key: K, value: SessionSteps[K]) => {
    setDraft((old) => ({ ...old, [key]: value }));
    setProblem(null);
  }, []);
  const setSecret = useCallback((name: keyof Secrets, value: string) => {
    setSecrets((old) => ({ ...old, [name]: value }));
  }, []);

  if (!session) {
    return (
      <section>
        <h1>Migration wizard</h1>
        {error ? <ErrorMessage error={error} /> : <p className="muted">Loading the session…</p>}
        <p>
          <Link to="/new">All sessions</Link>
        </p>
      </section>
    );
  }

  const index = stepOrder.indexOf(step);
  const reached = Math.max(furthest, index);
  const started = session.status === 'Started';

  const save = async (to: WizardStep): Promise<MigrationSession | null> => {
    setBusy(true);
    setError(null);
    try {
      const saved = started ? session : await calls.saveSession(session, draft, to);
      setSession(saved);
      return saved;
    } catch (failure) {
      setError(asApiError(failure));
      return null;
    } finally {
      setBusy(false);
    }
  };
  const go = async (to: WizardStep) => {
    if (stepOrder.indexOf(to) > index) {
      const missing = missingOn(step, draft);
      if (missing) {
        setProblem(missing);
        return;
      }
    }
    setProblem(null);
    if (await save(to)) {
      setStep(to);
      setFurthest((old) => Math.max(old, stepOrder.indexOf(to)));
    }
  };
  const saveAndClose = async () => {
    if (await save(step)) navigate('/new');
  };
  const next = stepOrder[index + 1];
  const back = stepOrder[index - 1];

  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === 'Escape' && !busy) {
      event.preventDefault();
      void saveAndClose();
    }
  };

  return (
    <section className="wizard">
      <h1>New migration</h1>
      <nav aria-label="Wizard pages" className="wizard-steps">
        <ol>
          {stepOrder.map((s, i) => (
            <li key={s} className={i < index ? 'done' : undefined}>
              {i <= reached && s !== step ? (
                <button type="button" className="link-button" onClick={() => void go(s)}>
                  {i + 1}. {stepTitles[s]}
                </button>
              ) : (
                <span aria-current={s === step ? 'step' : undefined}>
                  {i + 1}. {stepTitles[s]}
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <form
        className="wizard-page"
        noValidate
        onKeyDown={onKeyDown}
        onSubmit={(event) => {
          event.preventDefault();
          if (next && !busy) void go(next);
        }}
      >
        <h2 ref={heading} tabIndex={-1}>
          {stepTitles[step]}
        </h2>
        {started ? (
          <p className="notice">
            This session has started its migrations; its entries can no longer be changed.
          </p>
        ) : null}
        <StepView
          step={step}
          session={session}
          steps={draft}
          change={change}
          secrets={secrets}
          setSecret={setSecret}
          calls={calls}
          onSession={setSession}
        />
        {problem ? (
          <p className="error" role="alert">
            {problem}
          </p>
        ) : null}
        {error ? <ErrorMessage error={error} /> : null}
        <div className="wizard-buttons">
          {back ? (
            <button type="button" disabled={busy} onClick={() => void go(back)}>
              Back
            </button>
          ) : null}
          {next ? (
            <button type="submit" className="primary" disabled={busy}>
              Next: {stepTitles[next]}
            </button>
          ) : null}
          <button type="button" disabled={busy} onClick={() => void saveAndClose()}>
            Save and close
          </button>
          <span className="hint">Enter: next page · Escape: save and close</span>
        </div>
      </form>
    </section>
  );
}

function asApiError(failure: unknown): ApiRequestError {
  return failure instanceof ApiRequestError
    ? failure
    : new ApiRequestError(
        0,
        'ClientError',
        failure instanceof Error ? failure.message : String(failure),
      );
}
