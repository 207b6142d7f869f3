import { useTranslation } from 'react-i18next';
import { ErrorBox } from '../../components/ErrorBox';
import { usePendingAction } from '../../hooks/usePendingAction';

/** What a step hands the wizard: where to go, and whether it is the last. */
export interface StepNav {
  back: (() => void) | null;
  /** Leave the step as it is (nothing of it saved) and go on. */
  skip: () => void;
  /** Go on after the step's own save, if it has one. */
  next: () => void;
  last: boolean;
}

/**
 * A step's buttons: Back, Skip this step, Next (Finish on the last step). `save` runs before Next
 * moves on; a failure stays on the step with its reason.
 */
export function StepActions({
  nav,
  save,
  nextDisabled = false,
}: {
  nav: StepNav;
  save?: () => Promise<void>;
  nextDisabled?: boolean;
}) {
  const { t } = useTranslation();
  const { pending, actionError, dismissError, run } = usePendingAction();
  const next = () =>
    run('next', async () => {
      await save?.();
      nav.next();
    });
  return (
    <>
      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}
      <div className="form-actions setup-actions">
        {nav.back ? (
          <button type="button" className="button" onClick={nav.back} disabled={pending !== null}>
            {t('setup.actions.back')}
          </button>
        ) : null}
        <span className="spacer" />
        {nav.last ? null : (
          <button
            type="button"
            className="button button--quiet"
            onClick={nav.skip}
            disabled={pending !== null}
          >
            {t('setup.actions.skipStep')}
          </button>
        )}
        <button
          type="button"
          className="button button--primary"
          onClick={() => void next()}
          disabled={nextDisabled || pending !== null}
        >
          {nav.last ? t('setup.actions.finish') : t('setup.actions.next')}
        </button>
      </div>
    </>
  );
}
