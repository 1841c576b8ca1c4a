/**
 * `collect --save-raw DIR`: the responses (as the Partner Center client returned them: envelope
 * keys in lower case, items as received, no byte-order mark), in the layout
 * `seatwise import --format partner-center DIR` reads back — `customers.json` (an array of the
 * customers pages), `subscribedskus/<customer-id>.json` and `subscriptions/<customer-id>.json`
 * (one body each per customer read).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RawDir {
  readonly dir: string;
  saveSubscribedSkus(customerId: string, text: string): Promise<void>;
  saveSubscriptions(customerId: string, text: string): Promise<void>;
  /**
   * Written once every subscribedskus call has settled (also when some failed, for diagnosis), and
   * by rename, so a customers.json is never half written.
   */
  saveCustomers(pages: readonly unknown[]): Promise<void>;
}

export async function openRawDir(dir: string): Promise<RawDir> {
  const skusDir = join(dir, 'subscribedskus');
  const subscriptionsDir = join(dir, 'subscriptions');
  await mkdir(skusDir, { recursive: true });
  await mkdir(subscriptionsDir, { recursive: true });
  return {
    dir,
    saveSubscribedSkus: (customerId, text) =>
      writeFile(join(skusDir, `${safeName(customerId)}.json`), text, 'utf8'),
    saveSubscriptions: (customerId, text) =>
      writeFile(join(subscriptionsDir, `${safeName(customerId)}.json`), text, 'utf8'),
    saveCustomers: async (pages) => {
      const target = join(dir, 'customers.json');
      const temp = `${target}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(pages, null, 2)}\n`, 'utf8');
      await rename(temp, target);
    },
  };
}

/** Customer ids are GUIDs; anything else is escaped so it cannot leave the directory. */
function safeName(id: string): string {
  return /^[A-Za-z0-9-]+$/.test(id) ? id : encodeURIComponent(id).replace(/\./g, '%2E');
}
