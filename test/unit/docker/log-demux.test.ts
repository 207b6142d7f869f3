import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogDemuxer, type DemuxedLogLine, type LogDemuxOptions } from '../../../electron/docker/log-demux';
import { logFrame } from '../../helpers/log-frame';

const TS1 = '2026-12-03T06:45:05.472780960Z';
const TS2 = '2026-12-03T06:45:06.000000001Z';
const TS3 = '2026-12-03T06:45:06.999999999Z';
const AT1 = Date.UTC(2026, 11, 3, 6, 45, 5, 472);
const AT2 = Date.UTC(2026, 11, 3, 6, 45, 6, 0);
const AT3 = Date.UTC(2026, 11, 3, 6, 45, 6, 999);

const frame = logFrame;

/** Feeds the chunks in order, then ends: every line handed over. */
function demux(options: LogDemuxOptions, chunks: Buffer[]): DemuxedLogLine[] {
  const d = new LogDemuxer(options);
  return [...chunks.flatMap((c) => d.push(c)), ...d.end()];
}

/** The buffer cut at the given offsets. */
function cut(buf: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets)].filter((o) => o > 0 && o < buf.length).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, buf.length]) {
    chunks.push(buf.subarray(from, p));
    from = p;
  }
  return chunks;
}

const FRAMED = { tty: false, timestamps: true };

/**
 * A stream with what goes wrong in practice: stdout and stderr interleaved, Japanese and emoji, a line
 * that arrives as two partial messages cut inside a character, "\r\n" with the "\r" in one frame and
 * the "\n" in the next, and a last line without its end.
 */
const emoji = Buffer.from('😀 終わり\n', 'utf8');
const STREAM = Buffer.concat([
  frame(1, `${TS1} 起動しました 🚀\n`),
  frame(2, `${TS1} Traceback (most recent call last):\n`),
  frame(1, `${TS2} windows line\r`),
  frame(1, `${TS2} \nnext 日本語\n`),
  frame(2, Buffer.concat([Buffer.from(`${TS2} ValueError: `), emoji.subarray(0, 2)])),
  frame(2, Buffer.concat([Buffer.from(`${TS3} `), emoji.subarray(2)])),
  frame(1, `${TS3} no newline at the end`),
]);
const STREAM_LINES: DemuxedLogLine[] = [
  { stream: 'out', ts: TS1, at: AT1, text: '起動しました 🚀' },
  { stream: 'err', ts: TS1, at: AT1, text: 'Traceback (most recent call last):' },
  { stream: 'out', ts: TS2, at: AT2, text: 'windows line' },
  { stream: 'out', ts: TS2, at: AT2, text: 'next 日本語' },
  { stream: 'err', ts: TS2, at: AT2, text: 'ValueError: 😀 終わり' },
  { stream: 'out', ts: TS3, at: AT3, text: 'no newline at the end' },
];

describe('LogDemuxer: multiplexed frames', () => {
  it('reads the whole stream at once', () => {
    expect(demux(FRAMED, [STREAM])).toEqual(STREAM_LINES);
  });

  it('gives the same lines whichever byte the stream is cut at', () => {
    for (let k = 1; k < STREAM.length; k++) {
      expect(demux(FRAMED, cut(STREAM, [k])), `cut at ${k}`).toEqual(STREAM_LINES);
    }
  });

  it('gives the same lines fed one byte at a time', () => {
    const bytes = cut(
      STREAM,
      Array.from({ length: STREAM.length }, (_, i) => i),
    );
    expect(demux(FRAMED, bytes)).toEqual(STREAM_LINES);
  });

  it('gives the same lines for any cutting', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 40 }), (offsets) => {
        expect(demux(FRAMED, cut(STREAM, offsets))).toEqual(STREAM_LINES);
      }),
    );
  });

  it('gives the same lines fed as ranges of larger buffers into one array (a chunked body’s pieces)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 40 }), (offsets) => {
        const d = new LogDemuxer(FRAMED);
        const out: DemuxedLogLine[] = [];
        // Each piece sits inside a buffer with unrelated bytes around it, as a chunk sits in a socket read.
        for (const piece of cut(STREAM, offsets)) {
          const padded = Buffer.concat([Buffer.from('3f\r\n'), piece, Buffer.from('\r\n')]);
          expect(d.push(padded, 4, 4 + piece.length, out)).toBe(out);
        }
        expect([...out, ...d.end()]).toEqual(STREAM_LINES);
      }),
    );
  });

  it('keeps a character whole when partial messages cut it anywhere, and the line keeps its first time', () => {
    const text = Buffer.from('日本語のログ 🎉 done', 'utf8');
    for (let k = 1; k < text.length; k++) {
      const stream = Buffer.concat([
        frame(1, Buffer.concat([Buffer.from(`${TS1} `), text.subarray(0, k)])),
        frame(1, Buffer.concat([Buffer.from(`${TS2} `), text.subarray(k), Buffer.from('\n')])),
      ]);
      expect(demux(FRAMED, [stream]), `message cut at byte ${k}`).toEqual([
        { stream: 'out', ts: TS1, at: AT1, text: '日本語のログ 🎉 done' },
      ]);
    }
  });

  it('keeps each stream’s characters apart when stdout and stderr frames cut characters in turn', () => {
    const out = Buffer.from('出力', 'utf8');
    const err = Buffer.from('エラー', 'utf8');
    const stream = Buffer.concat([
      frame(1, out.subarray(0, 2)),
      frame(2, err.subarray(0, 4)),
      frame(1, out.subarray(2)),
      frame(2, err.subarray(4)),
      frame(1, '\n'),
      frame(2, '\n'),
    ]);
    expect(demux({ tty: false, timestamps: false }, [stream]).map((l) => [l.stream, l.text])).toEqual([
      ['out', '出力'],
      ['err', 'エラー'],
    ]);
  });

  it('keeps the order of stdout and stderr lines as the frames came', () => {
    const frames: Buffer[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 50; i++) {
      const type = i % 3 === 0 ? 2 : 1;
      frames.push(frame(type, `${TS1} line ${i}\n`));
      expected.push(`${type === 2 ? 'err' : 'out'} line ${i}`);
    }
    const lines = demux(FRAMED, cut(Buffer.concat(frames), [7, 100, 101, 555]));
    expect(lines.map((l) => `${l.stream} ${l.text}`)).toEqual(expected);
  });

  it('hands over lines as soon as their frame is complete, the unfinished ones only at the end', () => {
    const d = new LogDemuxer(FRAMED);
    expect(d.push(frame(1, `${TS1} first\n${TS1.slice(0, 3)}`))).toEqual([
      { stream: 'out', ts: TS1, at: AT1, text: 'first' },
    ]);
    expect(d.push(frame(2, `${TS2} half`))).toEqual([]);
    expect(d.push(frame(1, `${TS3} other half`))).toEqual([]);
    // Both streams unfinished: flushed in the order they started (stdout's bytes came first).
    expect(d.end()).toEqual([
      { stream: 'out', ts: TS1, at: AT1, text: `${TS1.slice(0, 3)}other half` },
      { stream: 'err', ts: TS2, at: AT2, text: 'half' },
    ]);
  });

  it('reads several lines in one frame, "\\r\\n" and empty lines', () => {
    expect(demux(FRAMED, [frame(1, `${TS1} a\r\n\nb\r\n`)])).toEqual([
      { stream: 'out', ts: TS1, at: AT1, text: 'a' },
      { stream: 'out', ts: TS1, at: AT1, text: '' },
      { stream: 'out', ts: TS1, at: AT1, text: 'b' },
    ]);
  });

  it('reads frames without timestamps', () => {
    expect(
      demux({ tty: false, timestamps: false }, [frame(1, 'plain\n'), frame(2, `${TS1} looks like one\n`)]),
    ).toEqual([
      { stream: 'out', ts: '', at: null, text: 'plain' },
      { stream: 'err', ts: '', at: null, text: `${TS1} looks like one` },
    ]);
  });

  it('reads timestamps of other forms: a short fraction, none, an offset', () => {
    // The first has a space where Docker's fixed-width form ends: it must still be searched.
    expect(
      demux(FRAMED, [
        frame(1, '2026-12-03T06:45:05.5Z abcdefg hij\n'),
        frame(1, '2026-12-03T06:45:05Z whole second\n'),
        frame(2, '2026-12-03T15:45:05.472+09:00 Tokyo\n'),
      ]),
    ).toEqual([
      {
        stream: 'out',
        ts: '2026-12-03T06:45:05.5Z',
        at: Date.UTC(2026, 11, 3, 6, 45, 5, 500),
        text: 'abcdefg hij',
      },
      {
        stream: 'out',
        ts: '2026-12-03T06:45:05Z',
        at: Date.UTC(2026, 11, 3, 6, 45, 5, 0),
        text: 'whole second',
      },
      { stream: 'err', ts: '2026-12-03T15:45:05.472+09:00', at: AT1, text: 'Tokyo' },
    ]);
  });

  it('keeps a message whose start is not a timestamp as text', () => {
    expect(
      demux(FRAMED, [
        frame(1, 'no-timestamp here\n'),
        frame(1, 'x'.repeat(60) + '\n'),
        frame(1, 'short'),
        frame(1, '\n'),
        frame(1, '2026-99-99T99:99:99Z bad date\n'),
      ]),
    ).toEqual([
      { stream: 'out', ts: '', at: null, text: 'no-timestamp here' },
      { stream: 'out', ts: '', at: null, text: 'x'.repeat(60) },
      { stream: 'out', ts: '', at: null, text: 'short' },
      { stream: 'out', ts: '', at: null, text: '2026-99-99T99:99:99Z bad date' },
    ]);
  });

  it('reads a stdin frame (type 0) as stdout and skips empty frames', () => {
    expect(demux(FRAMED, [frame(0, `${TS1} typed\n`), frame(2, ''), frame(1, `${TS2} ok\n`)])).toEqual([
      { stream: 'out', ts: TS1, at: AT1, text: 'typed' },
      { stream: 'out', ts: TS2, at: AT2, text: 'ok' },
    ]);
  });

  it('keeps the engine’s own error frame (type 3) out of the lines and reports it', () => {
    const d = new LogDemuxer(FRAMED);
    const lines = [
      ...d.push(Buffer.concat([frame(1, `${TS1} before\n`), frame(3, 'log driver failed\n')])),
      ...d.end(),
    ];
    expect(lines.map((l) => l.text)).toEqual(['before']);
    expect(d.engineError).toBe('log driver failed');
  });

  it('reads bytes that are not frames as raw text, from where the frames stop', () => {
    expect(demux(FRAMED, [Buffer.from(`${TS1} not framed at all\n`)])).toEqual([
      { stream: 'out', ts: TS1, at: AT1, text: 'not framed at all' },
    ]);
    const afterFrames = Buffer.concat([frame(2, `${TS1} framed\n`), Buffer.from(`garbage 日本\n`)]);
    for (let k = 1; k < afterFrames.length; k++) {
      expect(demux(FRAMED, cut(afterFrames, [k])), `cut at ${k}`).toEqual([
        { stream: 'err', ts: TS1, at: AT1, text: 'framed' },
        { stream: 'out', ts: '', at: null, text: 'garbage 日本' },
      ]);
    }
  });

  it('never lets a header byte into the text, even for frames of odd sizes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(1, 2), fc.string({ unit: 'grapheme', maxLength: 30 })), {
          maxLength: 20,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (messages, offsets) => {
          const buf = Buffer.concat(messages.map(([type, text]) => frame(type, `${text}\n`)));
          const lines = demux(
            { tty: false, timestamps: false },
            cut(
              buf,
              offsets.map((o) => o % (buf.length + 1)),
            ),
          );
          const expected = messages.flatMap(([type, text]) =>
            text.split('\n').map((t) => ({ stream: type === 2 ? 'err' : 'out', text: t.replace(/\r$/, '') })),
          );
          expect(lines.map((l) => ({ stream: l.stream, text: l.text }))).toEqual(expected);
        },
      ),
    );
  });

  it('cuts a line that never ends once it passes the limit, keeping its time on every piece', () => {
    const buf = frame(1, `${TS1} ${'a'.repeat(25)}`);
    const chunks = cut(
      buf,
      Array.from({ length: buf.length }, (_, i) => i * 4),
    );
    const lines = demux({ ...FRAMED, maxLineLength: 10 }, chunks);
    // Cut when a feed takes it past the limit: at most one chunk (4 bytes here) over.
    expect(lines.map((l) => l.text).join('')).toBe('a'.repeat(25));
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((l) => l.text.length > 0 && l.text.length <= 14 && l.ts === TS1)).toBe(true);
  });

  it('drops a header cut short at the end instead of showing its bytes', () => {
    const buf = Buffer.concat([frame(1, 'done\n'), frame(1, 'next\n').subarray(0, 5)]);
    expect(demux({ tty: false, timestamps: false }, [buf]).map((l) => l.text)).toEqual(['done']);
  });
});

describe('LogDemuxer: TTY containers', () => {
  const TTY = { tty: true, timestamps: true };
  const raw = Buffer.from(`${TS1} 進捗 50%\r\n${TS2} \x1b[31mred\x1b[0m\r\n${TS3} no end`, 'utf8');
  const expected: DemuxedLogLine[] = [
    { stream: 'out', ts: TS1, at: AT1, text: '進捗 50%' },
    { stream: 'out', ts: TS2, at: AT2, text: '\x1b[31mred\x1b[0m' },
    { stream: 'out', ts: TS3, at: AT3, text: 'no end' },
  ];

  it('reads raw bytes as stdout lines, timestamps at the start of each line', () => {
    for (let k = 1; k < raw.length; k++) expect(demux(TTY, cut(raw, [k])), `cut at ${k}`).toEqual(expected);
  });

  it('does not mistake raw text for frame headers', () => {
    const looksLikeAFrame = Buffer.concat([frame(1, 'x\n'), Buffer.from('y\n')]);
    expect(demux({ tty: true, timestamps: false }, [looksLikeAFrame]).map((l) => l.text)).toEqual([
      '\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0002x',
      'y',
    ]);
  });
});
