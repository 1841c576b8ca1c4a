/**
 * The mapping settings shared by `import --format graph|partner-center` and `collect`: the product
 * catalog (the bundled one, overridden by whatever was imported into the store), the service
 * classification (`--classify FILE`) and the free/trial exclusions (defaults plus `--exclude FILE`).
 */
import { type ClassificationTable, DEFAULT_CLASSIFICATION } from '../domain/classify.ts';
import { type CatalogSku, skuCatalog } from '../domain/sku-catalog.ts';
import { DEFAULT_EXCLUSIONS, type ExclusionList, mergeExclusions } from '../domain/sku-exclusions.ts';
import { readClassificationFile, readExclusionFile } from '../ingest/sources/index.ts';
import type { SourceOptions } from '../ingest/sources/types.ts';
import type { Store } from '../store/store.ts';
import { CliError } from './cli-error.ts';

export interface MappingFlags {
  readonly classify?: string | undefined;
  readonly exclude?: string | undefined;
  readonly channel?: string | undefined;
}

async function orFail<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new CliError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function mappingOptions(
  store: Store,
  flags: MappingFlags,
  base: { partnerId: string; processedDate: string },
): Promise<SourceOptions> {
  const catalog = new Map<string, CatalogSku>(skuCatalog().map((s) => [s.skuId, s]));
  for (const s of await store.catalog()) catalog.set(s.skuId, s);
  const classification: ClassificationTable =
    flags.classify === undefined
      ? DEFAULT_CLASSIFICATION
      : await orFail('--classify', () => readClassificationFile(flags.classify!));
  const exclusions: ExclusionList =
    flags.exclude === undefined
      ? DEFAULT_EXCLUSIONS
      : mergeExclusions(
          DEFAULT_EXCLUSIONS,
          await orFail('--exclude', () => readExclusionFile(flags.exclude!)),
        );
  const channel = (flags.channel ?? 'reseller').trim().toLowerCase();
  if (channel === '') throw new CliError('--channel must not be empty', 2);
  return { ...base, channel, catalog, classification, exclusions };
}
