/**
 * The dashboard's Content Security Policy, in one place: main sends it as a response header with
 * every app:// document, and renderer/index.html carries the same directives in its meta tag (a
 * test keeps the two equal), so the policy holds even where the header is not applied.
 *
 * Everything the renderer loads is a file this app ships ('self' = app://dify-stack); it talks to
 * main only through the preload bridge, so it needs no network, no frames, no plugins, no forms.
 */

export interface RendererCspOptions {
  /** The Vite dev server injects CSS as <style> tags: inline styles are allowed then, never packaged. */
  devServer?: boolean;
  /**
   * frame-ancestors is ignored (with a console warning) in a meta tag; only the header carries it.
   * https://www.w3.org/TR/CSP3/#meta-element
   */
  forMetaTag?: boolean;
}

export function rendererCspDirectives(options: RendererCspOptions = {}): string[] {
  return [
    "default-src 'self'",
    "script-src 'self'",
    options.devServer ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    // data: only for the empty favicon (<link rel="icon" href="data:,">) and inline SVG data images.
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    // No iframes of any origin: nothing can be framed into the page that holds the bridge.
    "frame-src 'none'",
    ...(options.forMetaTag ? [] : ["frame-ancestors 'none'"]),
  ];
}

export function rendererCsp(options: RendererCspOptions = {}): string {
  return rendererCspDirectives(options).join('; ');
}
