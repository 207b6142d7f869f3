/** Why a Dify URL is not usable, or null when it is. Only http(s) makes sense for a browser to open. */
export type UrlProblem = 'empty' | 'invalid' | 'protocol';

export function checkDifyUrl(text: string): UrlProblem | null {
  const value = text.trim();
  if (value === '') return 'empty';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'invalid';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'protocol';
  return url.hostname === '' ? 'invalid' : null;
}
