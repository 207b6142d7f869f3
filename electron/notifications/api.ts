/**
 * What the rest of the app may use of the notifications capability: the notifier (main.ts gives it
 * Electron's Notification through `show`) and the request that opens the plugin daemon's log at its
 * last error (the tray's menu item opens the same).
 */
export { Notifier, type AppNotification, type NotificationTarget, type NotifierOptions } from './notifier';
export { PLUGIN_DAEMON, pluginDaemonLogsRequest } from './targets';
