/**
 * The frame of every signed-in page: a skip link for keyboard users, the top bar with the
 * navigation and "Sign out", and the page in `<main>`.
 */
import type { ReactNode } from 'react';

import type { Page } from './pages.js';
import { Link } from './router.js';
import { signOut } from './session.js';

export function Layout({
  pages,
  current,
  children,
}: {
  pages: readonly Page[];
  current: Page | null;
  children: ReactNode;
}) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <Link to="/" className="brand">
          sqlmig
        </Link>
        <nav aria-label="Main">
          <ul>
            {pages
              .filter((p) => p.nav)
              .map((p) => (
                <li key={p.path}>
                  <Link to={p.path} aria-current={p === current ? 'page' : undefined}>
                    {p.nav}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <button type="button" className="link-button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
