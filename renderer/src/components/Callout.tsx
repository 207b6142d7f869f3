import type { HTMLAttributes, ReactNode } from 'react';
import { Icon } from './Icon';
import './Callout.css';

/**
 * A notice with the alert shape: an optional bold title, the text, and at most one action beside it.
 * Other attributes (role, data-*) go on the box.
 */
export function Callout({
  title,
  action,
  children,
  ...box
}: {
  title?: string;
  action?: ReactNode;
  children?: ReactNode;
} & Omit<HTMLAttributes<HTMLDivElement>, 'title' | 'className'>) {
  return (
    <div className="callout" {...box}>
      <Icon name="alert" className="callout__icon" />
      <div className="callout__body">
        {title !== undefined ? <p className="callout__title">{title}</p> : null}
        {children}
      </div>
      {action}
    </div>
  );
}
