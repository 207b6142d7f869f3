import { useTranslation } from 'react-i18next';
import './ShowDetails.css';

/**
 * Raw text for those who want it (compose's stderr, a parser's message): folded away under "Show
 * details", in monospace, so the sentence above it stays the first thing read.
 */
export function ShowDetails({ text }: { text: string }) {
  const { t } = useTranslation();
  return (
    <details className="show-details">
      <summary>{t('common.showDetails')}</summary>
      <pre className="mono-block">{text}</pre>
    </details>
  );
}
