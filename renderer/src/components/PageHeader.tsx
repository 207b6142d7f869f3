import { useEffect, useRef, type ReactNode } from 'react';
import './PageHeader.css';

/**
 * The page title and its actions. The title takes focus when a page opens so keyboard and screen
 * reader users land at its start after switching pages.
 */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <header className="page-header">
      <h1 ref={ref} tabIndex={-1} className="page-header__title">
        {title}
      </h1>
      <div className="page-header__actions">{children}</div>
    </header>
  );
}
