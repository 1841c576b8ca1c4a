/** Source readers for `seatwise import --format graph|partner-center|catalog|prices` and `collect`. */
export {
  type CatalogReadResult,
  type CatalogSummary,
  parseCatalogText,
  type RenamedSku,
  readCatalogFile,
} from './catalog-file.ts';
export { parseClassificationText, readClassificationFile } from './classification-file.ts';
export { detectFormat, type SourceFormat } from './detect-format.ts';
export { parseExclusionText, readExclusionFile } from './exclusion-file.ts';
export { readGraphFiles } from './graph.ts';
export {
  buildPartnerCenterSnapshot,
  type PartnerCenterInput,
  readPartnerCenterDir,
} from './partner-center.ts';
export {
  matchPriceSheet,
  type PriceMatch,
  type PriceSheetRow,
  type PricesReadResult,
  parsePricesText,
  readPricesFile,
} from './prices-file.ts';
export type {
  ExcludedCount,
  ExclusionReason,
  RowFileError,
  SourceLoad,
  SourceOptions,
  SourceReadResult,
  SourceSummary,
} from './types.ts';
