import path from 'node:path';

/** A file of the vega-datasets package's data folder (the package exports only its index). */
export function vegaDataFile(name: string): string {
  return path.join(path.dirname(require.resolve('vega-datasets')), '..', 'data', name);
}
