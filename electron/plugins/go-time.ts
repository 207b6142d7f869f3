/**
 * The timestamps Go's yaml.v3 accepts for a `time.Time` field such as the manifest's `created_at`:
 * an unquoted scalar in one of yaml.v3's formats (resolve.go, allowedTimestampFormats, parsed with
 * time.Parse), else the scalar's text through time.Time.UnmarshalText, which takes RFC 3339 only.
 * `zero` marks Go's zero time (0001-01-01T00:00:00Z), which the daemon's `required` rule refuses.
 */
export interface GoTime {
  text: string;
  zero: boolean;
}

// time.Parse layouts "2006-1-2T15:4:5.999999999Z07:00" (and lower-case t), "2006-1-2 15:4:5.999999999",
// "2006-1-2": one- or two-digit month, day, hour, minute and second; up to nine fraction digits.
const YAML_DATE_TIME =
  /^(\d{4})-(\d\d?)-(\d\d?)[Tt](\d\d?):(\d\d?):(\d\d?)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;
const YAML_SPACED = /^(\d{4})-(\d\d?)-(\d\d?) (\d\d?):(\d\d?):(\d\d?)(?:[.,](\d{1,9}))?()$/;
const YAML_DATE = /^(\d{4})-(\d\d?)-(\d\d?)()()()()()$/;
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?([Zz]|[+-]\d\d:\d\d)$/;

/** yaml.v3's parseTimestamp: null when the text is not a timestamp. */
export function goTimestamp(text: string): GoTime | null {
  for (const re of [YAML_DATE_TIME, YAML_SPACED, YAML_DATE]) {
    const t = fromMatch(text, re.exec(text));
    if (t) return t;
  }
  return null;
}

/** time.Time.UnmarshalText (RFC 3339). */
export function rfc3339Timestamp(text: string): GoTime | null {
  return fromMatch(text, RFC3339.exec(text));
}

function fromMatch(text: string, m: RegExpExecArray | null): GoTime | null {
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v || '0')) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = Number(m[7] || '0');
  const zone = m[8] || 'Z';
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const utcOffsetZero = zone === 'Z' || zone === 'z' || /^[+-]00:00$/.test(zone);
  const zero =
    year === 1 && month === 1 && day === 1 && hour === 0 && minute === 0 && second === 0 && fraction === 0;
  return { text, zero: zero && utcOffsetZero };
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
