/** nvidia-smi's CSV lines and failure texts (electron/gpu/nvidia-smi-parse.ts), verbatim from facts.md. */
import { describe, expect, it } from 'vitest';
import {
  QUERY_FIELDS,
  classifyFailure,
  nvidiaSmiArgs,
  parseReadingLine,
} from '../../../electron/gpu/nvidia-smi-parse';

const RTX_4070 = {
  index: 0,
  name: 'NVIDIA GeForce RTX 4070',
  memoryTotal: 12282,
  memoryUsed: 7850,
  memoryFree: 4432,
  utilization: 37,
  temperature: 52,
};

describe('nvidiaSmiArgs', () => {
  it('asks for the index first, CSV without header and units, and streams with --loop-ms', () => {
    expect(QUERY_FIELDS[0]).toBe('index');
    expect(nvidiaSmiArgs()).toEqual([
      '--query-gpu=index,name,memory.total,memory.used,memory.free,utilization.gpu,temperature.gpu',
      '--format=csv,noheader,nounits',
    ]);
    expect(nvidiaSmiArgs(1000).at(-1)).toBe('--loop-ms=1000');
  });
});

describe('parseReadingLine', () => {
  it('reads the facts.md line (with our index column in front)', () => {
    expect(parseReadingLine('0, NVIDIA GeForce RTX 4070, 12282, 7850, 4432, 37, 52')).toEqual(RTX_4070);
  });

  it('reads two GPUs, one line each, with Windows line ends', () => {
    const out =
      '0, NVIDIA GeForce RTX 4070, 12282, 7850, 4432, 37, 52\r\n1, NVIDIA GeForce RTX 3060, 12288, 310, 11978, 0, 34\r\n';
    const readings = out.split('\n').map((l) => parseReadingLine(l));
    expect(readings[0]).toEqual(RTX_4070);
    expect(readings[1]).toMatchObject({
      index: 1,
      name: 'NVIDIA GeForce RTX 3060',
      memoryUsed: 310,
      utilization: 0,
    });
    expect(readings[2]).toBeNull();
  });

  it.each(['[N/A]', '[Not Supported]', '[Unknown Error]', '[Insufficient Permissions]'])(
    '%s is unknown (null), never 0',
    (unknown) => {
      for (let column = 0; column < 5; column++) {
        const values = ['12282', '7850', '4432', '37', '52'];
        values[column] = unknown;
        const r = parseReadingLine(`0, NVIDIA GeForce RTX 4070, ${values.join(', ')}`);
        const fields = [r?.memoryTotal, r?.memoryUsed, r?.memoryFree, r?.utilization, r?.temperature];
        expect(fields[column]).toBeNull();
        expect(fields.filter((f) => f === null)).toHaveLength(1);
      }
    },
  );

  it('a real 0 stays 0', () => {
    expect(parseReadingLine('0, NVIDIA GeForce RTX 4070, 12282, 0, 12282, 0, 0')).toMatchObject({
      memoryUsed: 0,
      utilization: 0,
      temperature: 0,
    });
  });

  it('a name holding ", " is everything between the index and the last five columns', () => {
    expect(parseReadingLine('1, Tesla, T4, PCIe, 15360, [N/A], [N/A], 0, 31')).toMatchObject({
      index: 1,
      name: 'Tesla, T4, PCIe',
      memoryTotal: 15360,
      memoryUsed: null,
    });
  });

  it.each([
    '',
    'Failed to initialize NVML: Driver/library version mismatch',
    'NVML library version: 570.86',
    'index, name, memory.total [MiB], memory.used [MiB], memory.free [MiB], utilization.gpu [%], temperature.gpu',
    '0, NVIDIA GeForce RTX 4070, 12282 MiB, 7850 MiB, 4432 MiB, 37 %, 52',
    'NVIDIA GeForce RTX 4070, 12282, 7850, 4432, 37, 52',
    '0, NVIDIA GeForce RTX 4070, 12282, 7850, 4432, 37',
  ])('not a data line: %j', (line) => {
    expect(parseReadingLine(line)).toBeNull();
  });
});

describe('classifyFailure', () => {
  it('the driver/NVML mismatch: its two lines on stdout, exit 18', () => {
    const out = 'Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 570.86\n';
    expect(classifyFailure(out, '', 18)).toEqual({
      kind: 'driver-mismatch',
      message: 'Failed to initialize NVML: Driver/library version mismatch; NVML library version: 570.86',
    });
    expect(classifyFailure('', '', 18).kind).toBe('driver-mismatch');
  });

  it('no driver to talk to, and no device', () => {
    const noDriver =
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n";
    expect(classifyFailure(noDriver, '', 9).kind).toBe('no-gpu');
    expect(classifyFailure('No devices were found\n', '', 6)).toEqual({
      kind: 'no-gpu',
      message: 'No devices were found',
    });
  });

  it('anything else is an error carrying its own text, or the exit code', () => {
    const died =
      '0, NVIDIA GeForce RTX 4070, 12282, 640, 11642, 3, 41\nUnable to determine the device handle for GPU0000:01:00.0: Unknown Error\n';
    expect(classifyFailure(died, '', 1)).toEqual({
      kind: 'error',
      message: 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error',
    });
    expect(classifyFailure('', '', 255)).toEqual({ kind: 'error', message: 'exit code 255' });
    expect(classifyFailure('', '', null).message).toBe('exit code none');
  });
});
