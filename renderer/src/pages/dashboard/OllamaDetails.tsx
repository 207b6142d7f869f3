import { useTranslation } from 'react-i18next';
import type { ComponentStatus, OllamaInfo } from '../../../../electron/contract';
import { formatGigabytes, vramShare } from '../../lib/processes';
import { CrashDetails, Fact, ProcessFacts } from './ProcessDetails';
import './OllamaDetails.css';

/** Ollama's card body: version, address, owner, its models and which of them sit in VRAM now. */
export function OllamaDetails({ component }: { component: ComponentStatus }) {
  const { t } = useTranslation();
  const info = component.ollama;
  return (
    <>
      <dl className="facts">
        {info ? (
          <>
            <Fact label={t('dashboard.ollama.version')}>
              {info.version ?? <span className="muted">{t('dashboard.ollama.versionUnknown')}</span>}
            </Fact>
            <Fact label={t('dashboard.ollama.url')}>
              <span className="mono">{info.url}</span>
            </Fact>
          </>
        ) : null}
        {component.process ? <ProcessFacts process={component.process} /> : null}
      </dl>
      <CrashDetails component={component} />
      {info && component.state === 'running' ? <OllamaModels info={info} /> : null}
    </>
  );
}

function OllamaModels({ info }: { info: OllamaInfo }) {
  const { t } = useTranslation();
  const installedTitle = t('dashboard.ollama.installedTitle', { count: info.models.length });
  return (
    <div className="ollama-models">
      <section aria-labelledby="ollama-loaded-title">
        <h3 id="ollama-loaded-title" className="ollama-models__title">
          {t('dashboard.ollama.loadedTitle')}
        </h3>
        {info.loaded.length === 0 ? (
          <p className="muted">{t('dashboard.ollama.noneLoaded')}</p>
        ) : (
          <ModelTable caption={t('dashboard.ollama.loadedTitle')} models={info.loaded} withVram />
        )}
      </section>
      <section aria-labelledby="ollama-installed-title">
        <h3 id="ollama-installed-title" className="ollama-models__title">
          {installedTitle}
        </h3>
        {info.models.length === 0 ? (
          <p className="muted">{t('dashboard.ollama.noModels')}</p>
        ) : (
          <ModelTable caption={installedTitle} models={info.models} />
        )}
      </section>
    </div>
  );
}

/** Models by name and size in GB; loaded ones also with how much of them sits in VRAM. */
function ModelTable({
  caption,
  models,
  withVram = false,
}: {
  caption: string;
  models: ReadonlyArray<{ name: string; size: number; sizeVram?: number }>;
  withVram?: boolean;
}) {
  const { t, i18n } = useTranslation();
  return (
    <table className="model-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('dashboard.ollama.model')}</th>
          <th scope="col" className="num">
            {t('dashboard.ollama.size')}
          </th>
          {withVram ? <th scope="col">{t('dashboard.ollama.vram')}</th> : null}
        </tr>
      </thead>
      <tbody>
        {models.map((m) => (
          <tr key={m.name} data-model={m.name}>
            <th scope="row" className="mono">
              {m.name}
            </th>
            <td className="num">
              {t('dashboard.ollama.gb', { size: formatGigabytes(m.size, i18n.language) })}
            </td>
            {withVram ? (
              <td>
                <VramShareText size={m.size} sizeVram={m.sizeVram ?? 0} />
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VramShareText({ size, sizeVram }: { size: number; sizeVram: number }) {
  const { t } = useTranslation();
  const share = vramShare({ size, sizeVram });
  if (share === null) return <span className="muted">—</span>;
  return (
    <span className={share.partlyOnCpu ? 'vram--partly' : undefined}>
      {t(share.partlyOnCpu ? 'dashboard.ollama.vramPartly' : 'dashboard.ollama.vramAll', {
        percent: share.percent,
      })}
    </span>
  );
}
