import { bi, type Bilingual } from '../../shared/bilingual.js';

/** Age buckets of open cases (calendar hours since opening): under 4 h, 4–24 h, 1–3 d, 3–7 d, 7 d and over. */
export interface AgeBucket {
  readonly label: Bilingual;
  readonly fromHours: number;
  readonly toHours: number | null;
}

const hoursText = (h: number): Bilingual => (h % 24 === 0 ? bi(`${h / 24}天`, `${h / 24}d`) : bi(`${h}小时`, `${h}h`));

export function ageBuckets(boundsHours: readonly number[] = [4, 24, 72, 168]): AgeBucket[] {
  const edges = [0, ...boundsHours];
  return edges.map((from, i) => {
    const to = edges[i + 1] ?? null;
    const label =
      to === null
        ? bi(`${hoursText(from).zh}以上`, `≥ ${hoursText(from).en}`)
        : from === 0
          ? bi(`${hoursText(to).zh}内`, `< ${hoursText(to).en}`)
          : bi(`${hoursText(from).zh}–${hoursText(to).zh}`, `${hoursText(from).en}–${hoursText(to).en}`);
    return { label, fromHours: from, toHours: to };
  });
}
