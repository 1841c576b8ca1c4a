import cliProgress from 'cli-progress';

export interface ProgressReporter {
  readonly update: (done: number, total: number) => void;
  stop(): void;
}

/** A byte progress bar on an interactive stderr; silent otherwise (pipes, CI, tests). */
export function progressReporter(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressReporter {
  if (!stream.isTTY) return { update: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | undefined;
  return {
    update: (done, total) => {
      // Small inputs finish before a bar would be readable.
      if (bar === undefined) {
        if (total < 8 * 1024 * 1024) return;
        bar = new cliProgress.SingleBar(
          { stream, format: `${label} [{bar}] {percentage}% {value}/{total} MiB`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.ceil(total / 1048576), 0);
      }
      bar.update(Math.floor(done / 1048576));
    },
    stop: () => bar?.stop(),
  };
}
