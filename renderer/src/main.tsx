// Shared sheets first: component and page sheets (imported by their modules) come after them in the
// bundle, so their rules win over the shared ones they refine.
import './styles/tokens.css';
import './styles/base.css';
import './styles/surfaces.css';
// JobPanel's own sheet, after surfaces.css: .job-output lifts .mono-block's height cap.
import './components/JobPanel.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { initI18n } from './i18n/setup';
import { resolveLang } from './lib/lang';

// The saved language arrives with the first settings answer; until then the browser's locale is the
// best guess (it is the OS locale in Electron), which keeps the loading text from flickering.
initI18n(resolveLang('system', navigator.language));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
