/**
 * Order statistics over a run's samples, and a bootstrap interval for a figure computed from two
 * sets of them (ToolKey's and its floor's). Pure: the same samples always give the same answer.
 */

export interface Summary {
  n: number;
  median: number;
  /** The interquartile range: where the middle half of the samples fell. */
  p25: number;
  p75: number;
  p95: number;
  min: number;
  max: number;
  /** 95% confidence interval of the median, by order statistics. */
  medianCi: [number, number];
}

function sorted(samples: readonly number[]): number[] {
  return samples.filter((sample) => Number.isFinite(sample)).sort((a, b) => a - b);
}

/** The quantile `q` (0 to 1) of sorted samples, interpolated between the two nearest. */
function quantileOfSorted(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return Number.NaN;
  const at = q * (values.length - 1);
  const below = Math.floor(at);
  const low = values[below] ?? Number.NaN;
  const high = values[Math.min(values.length - 1, below + 1)] ?? low;
  return low + (high - low) * (at - below);
}

export function median(samples: readonly number[]): number {
  return quantileOfSorted(sorted(samples), 0.5);
}

export function summarise(samples: readonly number[]): Summary {
  const values = sorted(samples);
  const n = values.length;
  const rank = (r: number) => values[Math.min(n - 1, Math.max(0, Math.round(r)))] ?? Number.NaN;
  const half = (1.96 * Math.sqrt(n)) / 2;
  return {
    n,
    median: quantileOfSorted(values, 0.5),
    p25: quantileOfSorted(values, 0.25),
    p75: quantileOfSorted(values, 0.75),
    p95: quantileOfSorted(values, 0.95),
    min: values[0] ?? Number.NaN,
    max: values.at(-1) ?? Number.NaN,
    medianCi: [rank(n / 2 - half - 1), rank(n / 2 + half)],
  };
}

/** A small seeded generator (mulberry32), so that an interval can be recomputed exactly from results.json. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RESAMPLES = 2000;

/**
 * The 95% percentile-bootstrap interval of `figure(ToolKey's median, the floor's median)`: the
 * samples are resampled with replacement `RESAMPLES` times, and the figure's 2.5th and 97.5th
 * percentiles are the interval. Samples taken in turn (as many of each, the i-th of one beside the
 * i-th of the other) are resampled as pairs, so that what drifts for both during a run cancels;
 * otherwise each set on its own. What it says: with this run's noise, the figure could plausibly
 * lie anywhere in it.
 */
export function bootstrapInterval(
  toolkey: readonly number[],
  floor: readonly number[],
  figure: (toolkeyMedian: number, floorMedian: number) => number,
): [number, number] {
  const paired = toolkey.length === floor.length;
  const pairs = paired
    ? toolkey.flatMap((a, i) => (Number.isFinite(a) && Number.isFinite(floor[i]) ? [[a, floor[i] ?? 0] as const] : []))
    : [];
  const a = paired ? pairs.map(([x]) => x) : sorted(toolkey);
  const b = paired ? pairs.map(([, y]) => y) : sorted(floor);
  if (a.length === 0 || b.length === 0) return [Number.NaN, Number.NaN];
  const random = generator(a.length * 7919 + b.length);
  const pick = (length: number) => Math.floor(random() * length);
  const medianOf = (draw: Float64Array) => quantileOfSorted(draw.sort(), 0.5);
  const figures: number[] = [];
  for (let r = 0; r < RESAMPLES; r++) {
    const x = new Float64Array(a.length);
    const y = new Float64Array(b.length);
    for (let i = 0; i < x.length; i++) {
      const at = pick(a.length);
      x[i] = a[at] ?? Number.NaN;
      if (paired) y[i] = b[at] ?? Number.NaN;
    }
    if (!paired) for (let i = 0; i < y.length; i++) y[i] = b[pick(b.length)] ?? Number.NaN;
    // A typed array sorts by value, and fast.
    const value = figure(medianOf(x), medianOf(y));
    if (Number.isFinite(value)) figures.push(value);
  }
  const ordered = figures.sort((p, q) => p - q);
  return [quantileOfSorted(ordered, 0.025), quantileOfSorted(ordered, 0.975)];
}
