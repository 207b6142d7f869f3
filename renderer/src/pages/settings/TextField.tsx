import { useId, type ReactNode } from 'react';

/**
 * A labelled one-line input with its message line (hint or verdict) below, which screen readers read
 * with the field. `live`: the message changes on its own (an answer from main), so it is announced.
 */
export function TextField({
  label,
  value,
  type = 'text',
  placeholder,
  invalid = false,
  narrow = false,
  live = false,
  inputMode,
  onChange,
  message,
}: {
  label: string;
  value: string;
  type?: 'text' | 'url';
  placeholder?: string;
  invalid?: boolean;
  narrow?: boolean;
  live?: boolean;
  inputMode?: 'numeric';
  onChange: (value: string) => void;
  message: ReactNode;
}) {
  const id = useId();
  const messageId = `${id}-message`;
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <input
        id={id}
        className={narrow ? 'input mono input--narrow' : 'input mono'}
        type={type}
        value={value}
        spellCheck={false}
        autoComplete="off"
        placeholder={placeholder}
        inputMode={inputMode}
        aria-invalid={invalid}
        aria-describedby={messageId}
        onChange={(e) => onChange(e.target.value)}
      />
      <div id={messageId} className="field__message" aria-live={live ? 'polite' : undefined}>
        {message}
      </div>
    </div>
  );
}
