// `node --import ./trace-packages.mjs …`: appends every package the program imports (a bare
// specifier, resolved) to the file named by $SEATWISE_TRACE_PACKAGES, one per line.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (!/^(\\.|\\/|node:|file:|data:)/.test(specifier)) {
    appendFileSync(${JSON.stringify(process.env.SEATWISE_TRACE_PACKAGES ?? '/dev/null')}, specifier + '\\n');
  }
  return resolved;
}`)}`,
);
