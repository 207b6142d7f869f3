import { z } from 'zod';

/**
 * The one settings file shared by the app and the CLI. Every field has a default.
 *
 * Fields are declared once without defaults: the patch schema must not have them, because zod's
 * `.partial()` keeps `.default()` and would silently reset every field a patch does not mention.
 */
const fields = {
  /** The Dify `docker` folder (holds docker-compose.yaml and .env). Empty: detect from containers. */
  difyDir: z.string().max(4096),
  /** Where "Open Dify" goes and where the console API lives. Only http(s): it is handed to the OS. */
  difyUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  language: z.enum(['system', 'ja', 'en']),
  /** Local plugin folders registered for one-click reinstall (each holds a manifest.yaml). */
  pluginDirs: z.array(z.string().min(1).max(4096)).max(200),
  /** The Dify account used for plugin management; its password lives in the secret store, never here. */
  difyEmail: z.string().max(320),
  /** Ollama's executable. Empty: the Windows default install path, then PATH. */
  ollamaPath: z.string().max(4096),
  /** Where Ollama listens (OLLAMA_HOST syntax). Empty: OLLAMA_HOST from the environment, else 127.0.0.1:11434. */
  ollamaHost: z.string().max(512),
  /** Extra environment for an `ollama serve` we start (OLLAMA_KEEP_ALIVE, OLLAMA_MODELS…). */
  ollamaEnv: z.record(
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a variable name')
      .max(128),
    z.string().max(4096),
  ),
  /** The AUTOMATIC1111 folder (holds webui-user.bat / webui.sh). Empty: A1111 is not part of the stack. */
  a1111Dir: z.string().max(4096),
  a1111Port: z.number().int().min(1).max(65535),
  /** Extra COMMANDLINE_ARGS, added to the user's own from webui-user.bat / webui-user.sh. */
  a1111Args: z.string().max(4096),
  /** `--listen`: A1111 on every interface (needed when Dify's containers cannot reach 127.0.0.1). */
  a1111Listen: z.boolean(),
  /** What Start/Stop of the whole stack includes; empty: every configured component. */
  stackComponents: z.array(z.enum(['docker', 'dify', 'ollama', 'a1111'])).max(4),
  /** Restart Ollama/A1111 when a process we started ends by itself (exponential backoff, capped). */
  autoRestart: z.boolean(),
  /** The URLs Dify's containers use for Ollama and A1111 (the connectivity doctor checks these). Empty: the defaults. */
  ollamaUrlFromDify: z.union([
    z.literal(''),
    z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  ]),
  /** GPU VRAM monitoring (electron/gpu): one streaming nvidia-smi while on. */
  gpuMonitoring: z.boolean(),
  /** nvidia-smi's path. Empty: System32, then the driver store, then PATH (Windows); PATH elsewhere. */
  nvidiaSmiPath: z.string().max(4096),
  /** The tray badge and notification: VRAM use at or above this share… */
  vramAlertPercent: z.number().int().min(50).max(100),
  /** …for this long. */
  vramAlertSeconds: z.number().int().min(5).max(3600),
  a1111UrlFromDify: z.union([
    z.literal(''),
    z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  ]),
  /** The Python that creates a plugin's .venv for debugging. Empty: `py -3`, then `python` (Windows); `python3`, then `python`. */
  pythonPath: z.string().max(4096),
  /**
   * Lines the log viewer keeps per open source (electron/logs' ring buffer, and the view's own bound):
   * 100,000 lines of a chatty container are ~15–30 MB in main; the upper bound keeps one source below
   * a few hundred MB whatever the user types.
   */
  logBufferLines: z.number().int().min(1_000).max(1_000_000),
  /** The first-run setup was finished or skipped: the app no longer opens on it (Settings re-opens it). */
  setupDone: z.boolean(),
  /** Windows "start with Windows" (app.setLoginItemSettings, started with `--hidden` into the tray). */
  startAtLogin: z.boolean(),
  /** Start the whole stack (as the tray's Start does) when the app starts. */
  startStackOnLaunch: z.boolean(),
  /** Toasts, each kind on its own: the stack started or failed to start… */
  notifyStack: z.boolean(),
  /** …a job finished while the window was hidden… */
  notifyJobs: z.boolean(),
  /** …VRAM above the alert threshold… */
  notifyVram: z.boolean(),
  /** …an error in the plugin daemon's log. */
  notifyPluginErrors: z.boolean(),
};

export const SettingsSchema = z.object({
  difyDir: fields.difyDir.default(''),
  difyUrl: fields.difyUrl.default('http://localhost'),
  language: fields.language.default('system'),
  pluginDirs: fields.pluginDirs.default([]),
  difyEmail: fields.difyEmail.default(''),
  ollamaPath: fields.ollamaPath.default(''),
  ollamaHost: fields.ollamaHost.default(''),
  ollamaEnv: fields.ollamaEnv.default({}),
  a1111Dir: fields.a1111Dir.default(''),
  a1111Port: fields.a1111Port.default(7860),
  a1111Args: fields.a1111Args.default(''),
  a1111Listen: fields.a1111Listen.default(false),
  stackComponents: fields.stackComponents.default([]),
  autoRestart: fields.autoRestart.default(true),
  ollamaUrlFromDify: fields.ollamaUrlFromDify.default(''),
  a1111UrlFromDify: fields.a1111UrlFromDify.default(''),
  gpuMonitoring: fields.gpuMonitoring.default(true),
  nvidiaSmiPath: fields.nvidiaSmiPath.default(''),
  vramAlertPercent: fields.vramAlertPercent.default(90),
  vramAlertSeconds: fields.vramAlertSeconds.default(30),
  pythonPath: fields.pythonPath.default(''),
  logBufferLines: fields.logBufferLines.default(100_000),
  setupDone: fields.setupDone.default(false),
  startAtLogin: fields.startAtLogin.default(false),
  startStackOnLaunch: fields.startStackOnLaunch.default(false),
  notifyStack: fields.notifyStack.default(true),
  notifyJobs: fields.notifyJobs.default(true),
  notifyVram: fields.notifyVram.default(true),
  notifyPluginErrors: fields.notifyPluginErrors.default(true),
});

export type Settings = z.infer<typeof SettingsSchema>;
/** A change to some fields; absent fields stay as they are. */
export const SettingsPatchSchema = z.object(fields).partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
