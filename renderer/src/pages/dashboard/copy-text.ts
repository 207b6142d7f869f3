/**
 * Puts text on the clipboard from a click. The async Clipboard API needs the clipboard-write
 * permission, which main's session refuses (every permission is refused, electron/main.ts), so the
 * old editing command is the fallback: it needs only the click that called it.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return copyWithSelection(text);
  }
}

function copyWithSelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  const focused = document.activeElement;
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    // Deprecated, but the one way to copy without a permission; nothing replaces it for that yet.
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  if (focused instanceof HTMLElement) focused.focus();
  return copied;
}
