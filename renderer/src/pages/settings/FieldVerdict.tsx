import { Icon } from '../../components/Icon';
import { ShowDetails } from '../../components/ShowDetails';
import './FieldVerdict.css';

/** A field's value is usable: a tick and why. */
export function FieldOk({ text }: { text: string }) {
  return (
    <span className="tone-ok field__ok">
      <Icon name="check" />
      {text}
    </span>
  );
}

/** What is wrong with a field's value, with the raw reason folded away when there is one. */
export function FieldError({ text, detail }: { text: string; detail?: string | undefined }) {
  return (
    <span className="field__error">
      <span className="tone-bad field__error-line">
        <Icon name="alert" />
        {text}
      </span>
      {detail?.trim() ? <ShowDetails text={detail.trim()} /> : null}
    </span>
  );
}
