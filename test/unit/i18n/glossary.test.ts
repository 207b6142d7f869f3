/**
 * Every Japanese string against the glossary (docs/glossary.md; its machine-readable half is
 * resources/locales/glossary.json): forbidden spellings, the status and re- verbs paired with the English,
 * no 。 on labels, です/ます in messages and CLI help, the same keys and placeholders in en and ja, and no
 * unit words written into user-facing code. The rejected strings below are the ones the Japanese review
 * (issue 15) found in the app, so the checks are known to catch what they are for.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkLocales,
  cssProblems,
  flatten,
  isCliHelpKey,
  isLabelKey,
  loadGlossary,
  problemsOf,
  ROOT,
  unitsInCode,
  unitsInSource,
} from './glossary-check';

const g = loadGlossary();
const locale = (lang: string) =>
  flatten(JSON.parse(readFileSync(path.join(ROOT, `resources/locales/${lang}.json`), 'utf8')));
const en = locale('en');
const ja = locale('ja');

describe('the locale files', () => {
  it('en and ja have the same keys', () => {
    expect(Object.keys(ja).filter((k) => !(k in en))).toEqual([]);
    expect(Object.keys(en).filter((k) => !(k in ja))).toEqual([]);
  });

  it('every ja string follows the glossary', () => {
    // One line per problem: "key: problem ← value", so a failure names what to fix.
    expect(checkLocales(g, en, ja)).toEqual([]);
  });

  it('the key conventions the checks rely on still match real keys', () => {
    // If a rename left a pattern matching nothing, its check would silently stop checking.
    const keys = Object.keys(ja);
    for (const p of g.labels.keyPatterns)
      expect(
        keys.some((k) => new RegExp(p, 'u').test(k)),
        p,
      ).toBe(true);
    for (const p of g.polite.cliHelpKeys)
      expect(
        keys.some((k) => new RegExp(p, 'u').test(k)),
        p,
      ).toBe(true);
    for (const kv of g.keyValues)
      expect(
        keys.some((k) => new RegExp(kv.key, 'u').test(k)),
        kv.key,
      ).toBe(true);
    expect(keys.filter((k) => isLabelKey(g, k)).length).toBeGreaterThan(300);
    expect(keys.filter((k) => isCliHelpKey(g, k)).length).toBeGreaterThan(40);
  });
});

describe('the glossary itself', () => {
  it('no preferred spelling is itself forbidden', () => {
    for (const f of g.forbidden) {
      for (const preferred of f.preferred.split(' / ')) {
        const hits = g.forbidden.filter((o) => new RegExp(o.pattern, 'u').test(preferred));
        expect(
          hits.map((h) => h.pattern),
          `${f.pattern} → ${preferred}`,
        ).toEqual([]);
      }
    }
  });

  it('docs/glossary.md explains every term the JSON enforces', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/glossary.md'), 'utf8');
    const terms = new Set([
      ...g.forbidden.map((f) => f.preferred.split(' / ')[0] ?? f.preferred),
      ...g.pairs.map((p) => p.term),
    ]);
    for (const term of terms) expect(doc.toLowerCase(), term).toContain(term.toLowerCase());
  });
});

describe('strings the checks must reject', () => {
  const rejected: [key: string, en: string, ja: string, problem: RegExp][] = [
    // 起動中 is "starting"; the timeout page used it for a running stack.
    [
      'timeouts.page.running',
      'It is running: Apply recreates only the services that read the changed settings.',
      '起動中です。適用すると、変更した設定を読むサービスだけを作り直します。',
      /起動中 but en is not "starting"/u,
    ],
    ['timeouts.preview.confirm', 'Apply and recreate', '適用して作り直す', /forbidden 作り直 → 再作成/u],
    ['timeouts.steps.plan', 'Asking…', '変更した設定を読むサービスを問い合わせています…', /forbidden 読/u],
    ['timeouts.keys.X.explanation', 'Read by api.', 'api が読みます。', /forbidden 読/u],
    [
      'timeouts.chain.warnings.guardBelow',
      'gives up first',
      '待つ側が先にあきらめてしまいます。',
      /あきらめ/u,
    ],
    ['timeouts.presets.difyDefaults.description', 'defaults', 'Dify の初期値に戻します。', /初期値/u],
    ['plugins.signature.action', 'Allow unsigned plugins and retry', '許可してやり直す', /やり直/u],
    ['settings.difyDir.emptyHint', 'containers', 'Docker のコンテナから見つかった', /コンテナー/u],
    ['doctor.causes.x', 'this computer', 'この PC で応答します。', /このコンピューター/u],
    ['logs.settings.title', 'Log viewer', 'ログビューア', /ビューアー/u],
    ['doctor.checks.ollama.local', 'Ollama answers', 'このコンピューター で Ollama が応答する', /no space/u],
    ['logs.settings.bufferLines.invalid', '1,000 to 1,000,000', '1,000～1,000,000 の整数', /〜/u],
    ['stack.state.partial', 'Partly running', '一部稼働', /一部稼働中/u],
    ['plugins.page.refresh', 'Refresh', '更新', /Refresh button/u],
    [
      'errors.ENV_APPLY_ROLLBACK_FAILED',
      'It failed. See the details below.',
      '失敗しました。詳細を確認してください。',
      /詳細は下記をご覧ください。/u,
    ],
    // CLI help in the plain form, and a plain sentence inside a message.
    ['timeouts.cli.commands.get', 'print KEY=value', 'KEY=value の形で表示する', /plain form/u],
    [
      'timeouts.cli.commands.restore',
      'list backups',
      '一覧表示する。名前を指定すると戻します',
      /plain form/u,
    ],
    ['errors.X', 'It is wrong.', '値が正しくない。', /plain form/u],
    // Labels, buttons and menu items carry no 。.
    ['tray.quit', 'Quit', 'Dify Stack Tray を終了。', /ends in 。/u],
    ['settings.gpu.alertPercent.label', 'Alert at', '警告する VRAM 使用率。', /ends in 。/u],
    // Placeholders and markup.
    [
      'timeouts.page.project',
      'Project {{name}} in {{dir}}.',
      'プロジェクト {{name}}',
      /placeholders differ/u,
    ],
    ['plugins.problems.YAML_TYPE', 'must be $t(a.b)', 'にしてください', /placeholders differ/u],
    ['common.loading', 'Loading…', '<b>読み込み中</b>…', /HTML in ja/u],
  ];

  it.each(rejected)('%s: %s', (key, enText, jaText, problem) => {
    const found = problemsOf(g, key, enText, jaText);
    expect(
      found.some((p) => problem.test(p)),
      found.join('\n'),
    ).toBe(true);
  });

  it('the fixed forms of the same strings pass', () => {
    const accepted: [string, string, string][] = [
      [
        'timeouts.page.running',
        'It is running: Apply recreates…',
        '稼働中です。適用すると、読み込むサービスだけを再作成します。',
      ],
      ['timeouts.cli.commands.get', 'print KEY=value', 'KEY=value の形式で表示します'],
      ['tray.quit', 'Quit', 'Dify Stack Tray を終了'],
      ['plugins.page.refresh', 'Refresh', '再読み込み'],
      ['stack.state.partial', 'Partly running', '一部稼働中'],
      ['serviceStates.restarting', 'Restarting', '再起動中'],
      ['errors.PROCESS_STOP_FAILED', 'End it in Task Manager.', 'タスク マネージャーで終了してください。'],
      ['timeouts.keys.X.explanation', 'Seconds (integer). Read by api.', '秒（整数）。api が読み込みます。'],
    ];
    for (const [key, enText, jaText] of accepted) expect(problemsOf(g, key, enText, jaText), key).toEqual([]);
  });
});

describe('units in code', () => {
  it('user-facing code takes every unit word from the locale', () => {
    expect(unitsInCode(g)).toEqual([]);
  });

  it('rejects the unit words the code used to write itself', () => {
    // TimeoutChainView and `env --chain` printed "600 s" beside Japanese text.
    expect(unitsInSource(g, '  return value === null ? unknown : `${value} s`;')).toHaveLength(1);
    expect(unitsInSource(g, "const value = l.seconds === null ? '?' : `${l.seconds} s`;")).toHaveLength(1);
    expect(unitsInSource(g, "const label = n + ' 秒';")).toHaveLength(1);
    // Half-width parentheses written around translated text.
    expect(unitsInSource(g, "{reason ? ` (${t('timeouts.placement.x')})` : null}")).toHaveLength(1);
    // Comments may name units.
    expect(unitsInSource(g, '// waits 600 s, then 秒')).toEqual([]);
  });

  it('rejects the CSS that cut ミリ秒 to ミ…', () => {
    const old =
      '.timeout-row__unit {\n  white-space: nowrap;\n  max-width: 40%;\n  text-overflow: ellipsis;\n}';
    expect(cssProblems(g, old)).toHaveLength(1);
    expect(cssProblems(g, '.timeout-row__unit {\n  flex: none;\n  white-space: nowrap;\n}')).toEqual([]);
  });
});
