import type { Rng } from './prng.ts';

/**
 * Customer company names for demo data. Real tenant names carry apostrophes, ampersands, commas,
 * accented Latin and non-Latin scripts, and every one of them must survive CSV, JSON, filters and
 * the dashboard, so the demo uses all of them.
 */

const SURNAMES = [
  "O'Brien",
  "O'Connor",
  "D'Angelo",
  'McAllister',
  'Smith',
  'Jones',
  'Patel',
  'Nguyen',
  'Garcia',
  'Okafor',
  'Johansson',
  'Kowalski',
  'Anderson',
  'Baker',
  'Chen',
  'Fitzgerald',
  'Harrington',
  'Lindqvist',
  'Morales',
  'Whitaker',
  'Kimura',
  'Abernathy',
  'Delacroix',
  'Henderson',
  'Rossi',
];
const PLACES = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Tailspin',
  'Blue Yonder',
  'Riverside',
  'Harbor',
  'Summit',
  'Cedar',
  'Granite',
  'Lakeshore',
  'Redwood',
  'Silverline',
  'Bright Path',
  'Oak Hill',
  'Pinecrest',
  'Meridian',
  'Westfield',
  'Eastgate',
  'Coastal',
  'Highland',
  'Prairie',
  'Ironbridge',
  'Maple',
];
const TRADES = [
  'Logistics',
  'Dental',
  'Accounting',
  'Architects',
  'Engineering',
  'Law Group',
  'Veterinary',
  'Construction',
  'Consulting',
  'Bakery',
  'Medical Center',
  'Realty',
  'Insurance',
  'Foods',
  'Manufacturing',
  'Marketing',
  'Plumbing',
  'Travel',
  'Brewing',
  'Analytics',
  'Outfitters',
];
const SUFFIXES = [', Inc.', ', LLC', ' Ltd', ', Ltd.', ' Pty Ltd', ' LLP', ' Group', '', '', ''];

const ACCENTED: readonly (readonly string[])[] = [
  ['Müller', 'Schröder', 'Günther', 'Weiß', 'Jäger', 'Bäcker'],
  ['Bäckerei', 'Maschinenbau', 'Steuerberatung', 'Möbelwerk', 'Brauerei'],
  ['GmbH', 'AG', 'GmbH & Co. KG'],
];
const FRENCH = [
  'Société Générale d’Études',
  "Atelier d'Ébénisterie",
  'Crème & Château',
  'Hôtel Élysée',
  'Cabinet Lefèvre',
];
const FRENCH_SUFFIX = [' SARL', ' SA', ' SAS'];
const IBERIAN = ['Ferretería Núñez', 'Construções São João', 'Panadería Muñoz', 'Óptica Peña', 'Café Açores'];
const IBERIAN_SUFFIX = [' S.A.', ' S.L.', ' Ltda.'];
const NORDIC = [
  'Åkesson & Søn',
  'Ødegård Bygg',
  'Hämäläinen Oy',
  'Björklund Fisk',
  'Łódź Logistyka',
  'Kovačević Građevina',
];
const NORDIC_SUFFIX = [' AS', ' AB', '', ' Sp. z o.o.', ' d.o.o.'];

/** Non-Latin names: [script, stems, how a stem becomes a company name]. */
const NON_LATIN: readonly [readonly string[], (stem: string, rng: Rng) => string][] = [
  [['山田製作所', '東京物流', '大阪精密', '桜電機', '富士商事', '北海道食品'], (s) => `株式会社${s}`],
  [
    ['华信科技', '长城贸易', '东方物流', '金海软件', '天成建设'],
    (s, r) => `${r.pick(['北京', '上海', '深圳', '成都'])}${s}有限公司`,
  ],
  [
    ['النور', 'الأمل', 'الخليج', 'الرياض', 'الفجر'],
    (s, r) => `شركة ${s} ${r.pick(['للتجارة', 'للمقاولات', 'للتقنية'])}`,
  ],
  [['Вектор', 'Северсталь-Сервис', 'Прогресс', 'Байкал', 'Сибирь Лоджистик'], (s) => `ООО «${s}»`],
  [['Αθηνά', 'Ολυμπος', 'Ερμής', 'Ποσειδών'], (s, r) => `${s} ${r.pick(['Α.Ε.', 'Ε.Π.Ε.', 'Ι.Κ.Ε.'])}`],
  [['אורן', 'גליל', 'כרמל', 'נגב תעשיות'], (s) => `${s} בע"מ`],
  [['한빛', '대한물산', '서울정밀', '미래소프트'], (s) => `${s} 주식회사`],
];

function latinName(rng: Rng): string {
  const r = rng.next();
  if (r < 0.3) return `${rng.pick(SURNAMES)} ${rng.pick(TRADES)}${rng.pick(SUFFIXES)}`;
  if (r < 0.5)
    return `${rng.pick(SURNAMES)} & ${rng.pick(SURNAMES)}${rng.pick([' LLP', ' Partners', '', ', P.C.'])}`;
  if (r < 0.8) return `${rng.pick(PLACES)} ${rng.pick(TRADES)}${rng.pick(SUFFIXES)}`;
  if (r < 0.86) return `${rng.pick(ACCENTED[0]!)} ${rng.pick(ACCENTED[1]!)} ${rng.pick(ACCENTED[2]!)}`;
  if (r < 0.9) return `${rng.pick(FRENCH)}${rng.pick(FRENCH_SUFFIX)}`;
  if (r < 0.95) return `${rng.pick(IBERIAN)}${rng.pick(IBERIAN_SUFFIX)}`;
  return `${rng.pick(NORDIC)}${rng.pick(NORDIC_SUFFIX)}`;
}

function nonLatinName(rng: Rng): string {
  const [stems, build] = rng.pick(NON_LATIN);
  return build(rng.pick(stems), rng);
}

/**
 * `count` distinct company names, about 10% in non-Latin scripts. The first name is always a
 * plain Latin one with an apostrophe, so even a one-customer demo shows quoting at work.
 */
export function companyNames(rng: Rng, count: number): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    let name = i === 0 ? "O'Brien Logistics" : '';
    for (let attempt = 0; name === '' || seen.has(name); attempt++) {
      const base = rng.chance(0.1) ? nonLatinName(rng) : latinName(rng);
      // Word lists run out for big demos; a branch number keeps names unique.
      name = attempt < 8 ? base : `${base} (${rng.pick(['Branch', 'Site', 'Region'])} ${i})`;
    }
    seen.add(name);
    names.push(name);
  }
  return names;
}
