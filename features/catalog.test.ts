import { createCatalog } from './catalog';
import { defaultCatalog } from './definitions';
import type { SeriesDefinition } from './feature-definition';
import { fieldsRead, slotField } from './slot-fields';

const minute = 60_000;
const hour = 60 * minute;
const s = (signal: string, tileMs: number, halfLifeMs?: number): SeriesDefinition => ({
  name: `hub.${signal}@${tileMs}${halfLifeMs ? `~${halfLifeMs}` : ''}`, entity: 'hub', signal, tileMs, ...(halfLifeMs ? { halfLifeMs } : {}),
});

describe('catalog.ladderOf', () => {
  it('lists a series, then its coarser copies of the same signal and half-life, each width a multiple of the one before', () => {
    const catalog = createCatalog([s('arrival', minute), s('arrival', 3 * minute), s('arrival', 5 * minute), s('arrival', 15 * minute), s('departure', hour),
      s('arrival_delay_min', minute), s('arrival_delay_min', hour, hour), s('arrival_delay_min', 15 * minute, hour)], []);
    const widths = (name: string) => catalog.ladderOf(name).map((x) => x.tileMs);
    // 5 min is not a multiple of 3 min: left out, 15 min follows 3 min.
    expect(widths(`hub.arrival@${minute}`)).toEqual([minute, 3 * minute, 15 * minute]);
    expect(widths(`hub.arrival@${15 * minute}`)).toEqual([15 * minute]);
    // Another half-life (or none) is another series: its EWMA sums are its own.
    expect(widths(`hub.arrival_delay_min@${minute}`)).toEqual([minute]);
    expect(widths(`hub.arrival_delay_min@${15 * minute}~${hour}`)).toEqual([15 * minute, hour]);
  });

  it('reads the default hub windows through 1, 3, 15 minute and hour tiles', () => {
    expect(defaultCatalog.ladderOf('hub.arrival@1m').map((x) => x.name)).toEqual(['hub.arrival@1m', 'hub.arrival@3m', 'hub.arrival@15m', 'hub.arrival@1h']);
  });

  it('fetches of a coarser copy what the features reading through it need', () => {
    // hub.arrival_delay_max_3h reads the maximum through the hour copy; the EWMA its sums through the ~1h one.
    expect(fieldsRead(defaultCatalog, 'hub.arrival_delay_min@1h', false)).toEqual(expect.arrayContaining([slotField.sum, slotField.max]));
    expect(fieldsRead(defaultCatalog, 'hub.arrival_delay_min@1h~1h', false)).toEqual([slotField.count, slotField.ewSum, slotField.ewWeight]);
  });
});
