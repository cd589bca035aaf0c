import { describe, expect, it } from 'vitest';
import { LATENCY_S, layOut, scoreEnds, type Layout } from '../../../tools/eval/endpoint-eval.js';

describe('endpointing on joined clips (tools/eval/endpoint-eval)', () => {
  it('lays clips end to end with seeded pauses, in groups, with a lead at both ends', () => {
    const clips = Array.from({ length: 7 }, (_, i) => ({ id: `c${i}`, text: `t${i}`, duration: 1 + i / 10 }));
    const a = layOut(clips, 3, [0.5, 2], 4);
    expect(a).toHaveLength(2); // 3 + 3, the last single clip has nobody to pause with
    expect(layOut(clips, 3, [0.5, 2], 4)).toEqual(a);
    for (const l of a) {
      expect(l.clips[0]!.start).toBe(0.5);
      expect(l.duration).toBeCloseTo(l.clips.at(-1)!.end + 0.5, 9);
      for (let i = 1; i < l.clips.length; i++) expect([0.5, 2].map((p) => Math.abs(l.clips[i]!.start - l.clips[i - 1]!.end - p)).some((d) => d < 1e-9)).toBe(true);
      for (const p of l.clips) expect(p.end - p.start).toBeCloseTo(clips.find((c) => c.id === p.id)!.duration, 9);
    }
    expect(new Set(a.flatMap((l) => l.clips.map((p) => p.id))).size).toBe(6);
    expect(() => layOut(clips, 1, [1], 1)).toThrow(/--per-conversation/);
  });

  it('counts cuts inside clips, and the long pauses that got a cut', () => {
    const l: Layout = { duration: 12, clips: [{ id: 'a', text: '', start: 0.5, end: 2 }, { id: 'b', text: '', start: 2.3, end: 5 }, { id: 'c', text: '', start: 7, end: 11.5 }] };
    // pause a-b is 0.3 s (not required at 1.2 s), b-c 2 s (required: >= 1.2 + LATENCY_S)
    expect(LATENCY_S).toBeGreaterThan(0);
    expect(scoreEnds(l, [6.3], 1.2)).toEqual({ inside: 0, required: 1, hit: 1 });
    expect(scoreEnds(l, [], 1.2)).toEqual({ inside: 0, required: 1, hit: 0 });
    expect(scoreEnds(l, [1.5, 3, 9], 1.2)).toEqual({ inside: 3, required: 1, hit: 0 });
    expect(scoreEnds(l, [2.2, 6.3], 1.2)).toEqual({ inside: 0, required: 1, hit: 1 }); // a cut in a short pause is not an error
    expect(scoreEnds(l, [6.3], 1.9)).toEqual({ inside: 0, required: 0, hit: 0 }); // 2 s < 1.9 + latency: not required
  });
});
