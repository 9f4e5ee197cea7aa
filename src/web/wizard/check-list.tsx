/** Checks as the service reported them: each with its status in words (not only a colour). */
export interface CheckItem {
  readonly name: string;
  readonly status: 'Succeeded' | 'Failed' | 'Skipped';
  readonly message: string;
}

export function CheckList({ checks, label }: { checks: readonly CheckItem[]; label: string }) {
  return (
    <ul className="check-list" aria-label={label}>
      {checks.map((c) => (
        <li key={c.name} className={`check check-${c.status.toLowerCase()}`}>
          <span className="check-status">{c.status}</span> <strong>{c.name}</strong>: {c.message}
        </li>
      ))}
    </ul>
  );
}

/** A call's failure or a step's "not available in this build", as the service worded it. */
export function NotAvailable({ message }: { message: string }) {
  return (
    <p className="notice" role="status">
      <strong>Not available in this build:</strong> {message}
    </p>
  );
}
