import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { CliError } from '../cli-error.ts';
import { type Format, rowWriter } from '../formats.ts';
import { openPages } from '../page-source.ts';
import { fieldsFor, sourceOptions, withSelection } from './query.ts';

const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;

export function registerExport(program: Command): void {
  withSelection(program.command('export').description('write every row (or group) of a selection to a file'))
    .requiredOption('-o, --output <file>', 'the file to write (replaced only once the export is complete)')
    .option('--format <format>', EXPORT_FORMATS.join(', '), 'csv')
    .action(async (opts) => {
      const format = opts.format as Format;
      if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
        throw new CliError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`, 2);
      }
      const output = String(opts.output);
      const source = sourceOptions(opts);
      const writer = rowWriter(format as (typeof EXPORT_FORMATS)[number]);
      // Written beside the target and renamed at the end, so a failed export never leaves half a file.
      const partial = `${output}.partial`;
      const file = createWriteStream(partial);
      const write = async (text: string) => {
        if (text !== '' && !file.write(text)) await once(file, 'drain');
      };
      const started = performance.now();
      let written = 0;
      try {
        await write(writer.begin(fieldsFor(source.groupby)));
        // One page at a time: memory stays flat however large the selection.
        for await (const page of openPages(source, true)) {
          await write(writer.rows(page.rows));
          written += page.rows.length;
          if (process.stderr.isTTY) process.stderr.write(`\rexported ${written} of ${page.totalCount}`);
        }
        await write(writer.end());
        file.end();
        await once(file, 'finish');
        await rename(partial, output);
      } catch (err) {
        file.destroy();
        await rm(partial, { force: true });
        throw err;
      }
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(
        `${process.stderr.isTTY ? '\n' : ''}exported ${written} rows to ${output} in ${seconds.toFixed(1)} s\n`,
      );
    });
}
