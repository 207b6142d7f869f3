import { describe, expect, it } from 'vitest';
import type { GpuReading } from '../../../electron/core/contract';
import { vramGb } from '../../../electron/core/presentation';
import {
  MIB,
  a1111VramMiB,
  attributeVram,
  offloadWarnings,
  type LoadedModel,
} from '../../../electron/gpu/consumers';

const GIB = 1024 * MIB;

/** An RTX 4070 as nvidia-smi reports it (facts.md: `NVIDIA GeForce RTX 4070, 12282, 7850, 4432, 37, 52`). */
const reading = (used: number | null): GpuReading => ({
  index: 0,
  name: 'NVIDIA GeForce RTX 4070',
  memoryTotal: 12282,
  memoryUsed: used,
  memoryFree: used === null ? null : 12282 - used,
  utilization: 37,
  temperature: 52,
});

/** `/sdapi/v1/memory` as A1111 v1.10 sends it (bytes): `cuda.system` is the whole GPU. */
const a1111Memory = (reserved: number, systemUsed = 11 * GIB) => ({
  ram: { free: 30 * GIB, used: 2 * GIB, total: 32 * GIB },
  cuda: {
    system: { free: 12_878_086_144 - systemUsed, used: systemUsed, total: 12_878_086_144 },
    active: { current: reserved - 100 * MIB, peak: reserved },
    allocated: { current: reserved - 100 * MIB, peak: reserved },
    reserved: { current: reserved, peak: reserved },
    inactive: { current: 100 * MIB, peak: reserved },
    events: { retries: 0, oom: 0 },
  },
});

const model = (name: string, size: number, sizeVram: number): LoadedModel => ({ name, size, sizeVram });

describe('attributeVram', () => {
  const cases: {
    name: string;
    input: Parameters<typeof attributeVram>[0];
    expected: ReturnType<typeof attributeVram>;
  }[] = [
    {
      name: 'a model that fits, A1111 with a checkpoint, and the rest as other',
      input: {
        reading: reading(9000),
        ollama: [model('gemma3:12b', 5000 * MIB, 5000 * MIB)],
        a1111Memory: a1111Memory(2770 * MIB),
      },
      expected: [
        { kind: 'ollama-model', name: 'gemma3:12b', vram: 5000, spilled: 0 },
        { kind: 'a1111', name: 'AUTOMATIC1111', vram: 2770, spilled: null },
        { kind: 'other', name: 'other', vram: 1230, spilled: null },
      ],
    },
    {
      name: 'a model larger than the card: the part in RAM is size − size_vram',
      input: { reading: reading(12000), ollama: [model('gpt-oss:20b', 14 * GIB, 11 * GIB)] },
      expected: [
        { kind: 'ollama-model', name: 'gpt-oss:20b', vram: 11264, spilled: 3072 },
        { kind: 'other', name: 'other', vram: 736, spilled: null },
      ],
    },
    {
      name: 'models largest first; cloud models hold nothing here',
      input: {
        reading: reading(8000),
        ollama: [
          model('llama3.2:latest', 2 * GIB, 2 * GIB),
          model('gpt-oss:120b-cloud', 0, 0),
          model('gemma3:12b', 4 * GIB, 4 * GIB),
        ],
        cloudModels: new Set(['gpt-oss:120b-cloud']),
      },
      expected: [
        { kind: 'ollama-model', name: 'gemma3:12b', vram: 4096, spilled: 0 },
        { kind: 'ollama-model', name: 'llama3.2:latest', vram: 2048, spilled: 0 },
        { kind: 'other', name: 'other', vram: 1856, spilled: null },
      ],
    },
    {
      name: "cuda.system (the whole GPU) is never added: only A1111's reserved memory counts",
      input: { reading: reading(11264), ollama: [], a1111Memory: a1111Memory(16 * MIB, 11 * GIB) },
      expected: [
        { kind: 'a1111', name: 'AUTOMATIC1111', vram: 16, spilled: null },
        { kind: 'other', name: 'other', vram: 11248, spilled: null },
      ],
    },
    {
      name: 'the programs read a moment after nvidia-smi: other never goes below 0',
      input: { reading: reading(3000), ollama: [model('gemma3:12b', 4 * GIB, 4 * GIB)] },
      expected: [
        { kind: 'ollama-model', name: 'gemma3:12b', vram: 4096, spilled: 0 },
        { kind: 'other', name: 'other', vram: 0, spilled: null },
      ],
    },
    {
      name: 'used unknown ([N/A]): other is unknown, never a guess',
      input: { reading: reading(null), ollama: [model('gemma3:12b', 4 * GIB, 4 * GIB)] },
      expected: [
        { kind: 'ollama-model', name: 'gemma3:12b', vram: 4096, spilled: 0 },
        { kind: 'other', name: 'other', vram: null, spilled: null },
      ],
    },
    {
      name: "A1111's memory unreadable: its share and other are unknown",
      input: { reading: reading(5000), ollama: null, a1111Memory: { detail: 'Not Found' } },
      expected: [
        { kind: 'a1111', name: 'AUTOMATIC1111', vram: null, spilled: null },
        { kind: 'other', name: 'other', vram: null, spilled: null },
      ],
    },
    {
      name: 'A1111 without CUDA holds no VRAM and is not listed',
      input: {
        reading: reading(500),
        ollama: null,
        a1111Memory: { ram: { free: 1, used: 1, total: 2 }, cuda: { error: 'unavailable' } },
      },
      expected: [{ kind: 'other', name: 'other', vram: 500, spilled: null }],
    },
    {
      name: 'no reading yet: the programs only, no other',
      input: { reading: null, ollama: [model('gemma3:12b', 4 * GIB, 4 * GIB)], a1111Memory: null },
      expected: [{ kind: 'ollama-model', name: 'gemma3:12b', vram: 4096, spilled: 0 }],
    },
    {
      name: 'nothing runs: all of it is other',
      input: { reading: reading(900), ollama: null },
      expected: [{ kind: 'other', name: 'other', vram: 900, spilled: null }],
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(attributeVram(input)).toEqual(expected);
  });
});

describe('a1111VramMiB', () => {
  it.each([
    [a1111Memory(2_904_555_520), 2770],
    [{ cuda: { error: 'unavailable' } }, 'no-cuda'],
    [{ cuda: { reserved: {} } }, null],
    ['Internal Server Error', null],
    [null, null],
  ])('%j → %j', (body, expected) => {
    expect(a1111VramMiB(body)).toBe(expected);
  });
});

describe('offloadWarnings', () => {
  const consumers = attributeVram({
    reading: reading(12000),
    ollama: [model('gpt-oss:20b', 14 * GIB, 11 * GIB), model('llama3.2:latest', 2 * GIB, 2 * GIB)],
    a1111Memory: a1111Memory(16 * MIB),
  });

  it('names each model with a part in system RAM, and the RAM it competes for when known', () => {
    expect(offloadWarnings(consumers, 32 * GIB)).toEqual([
      {
        model: 'gpt-oss:20b',
        spilled: 3072,
        key: 'gpu.offload.warningWithRam',
        params: { model: 'gpt-oss:20b', spilled: '3.0', ram: '32.0' },
      },
    ]);
    expect(offloadWarnings(consumers, null)).toEqual([
      {
        model: 'gpt-oss:20b',
        spilled: 3072,
        key: 'gpu.offload.warning',
        params: { model: 'gpt-oss:20b', spilled: '3.0' },
      },
    ]);
  });

  it('says nothing when every model fits', () => {
    expect(
      offloadWarnings(attributeVram({ reading: reading(100), ollama: [model('a', GIB, GIB)] }), null),
    ).toEqual([]);
  });
});

describe('vramGb', () => {
  it('counts 1024 MiB to the GB, as Task Manager does: 12282 MiB is 12.0 GB; unknown is a dash, never 0', () => {
    expect([vramGb(12282), vramGb(7850), vramGb(0), vramGb(null), vramGb(Number.NaN), vramGb(-5)]).toEqual([
      '12.0',
      '7.7',
      '0.0',
      '—',
      '—',
      '0.0',
    ]);
  });
});
