import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError, type ErrorName } from '../errors.ts';
import { parseDeploymentQuery, parseFilter, type RawParams } from './parse-query.ts';
import { printTree } from './print.ts';
import { DEFAULT_TOP, MAX_TOP } from './query-plan.ts';

function caught(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError, nothing was thrown');
}

function rejects(params: RawParams, kind: ErrorName, description: string): ApiError {
  const err = caught(() => parseDeploymentQuery(params));
  expect([err.kind, err.status, err.description]).toEqual([kind, 400, description]);
  return err;
}

describe('parseDeploymentQuery: defaults', () => {
  it('gives the defaults for no parameters, frozen', () => {
    const q = parseDeploymentQuery({});
    expect(q).toEqual({ filter: null, groupBy: [], top: DEFAULT_TOP, skip: 0, processedDate: null });
    expect(Object.isFrozen(q)).toBe(true);
    expect(Object.isFrozen(q.groupBy)).toBe(true);
  });

  it('ignores unknown parameters, `$`-prefixed names and undefined values', () => {
    expect(
      parseDeploymentQuery({
        $top: '5',
        $filter: 'garbage',
        orderby: 'x',
        top: undefined,
        'api-version': '1',
      }),
    ).toEqual({ filter: null, groupBy: [], top: DEFAULT_TOP, skip: 0, processedDate: null });
  });

  it('reads every parameter at once', () => {
    const q = parseDeploymentQuery({
      top: '25',
      skip: '50',
      filter: "serviceCode eq 'O365' or (channel eq 'Reseller')",
      groupby: 'serviceCode,channel',
      processedDateTime: '2024-03-01',
    });
    expect({ ...q, filter: q.filter && printTree(q.filter) }).toEqual({
      top: 25,
      skip: 50,
      filter: "(or (eq serviceCode 'O365') (eq channel 'Reseller'))",
      groupBy: ['serviceCode', 'channel'],
      processedDate: '2024-03-01',
    });
  });
});

describe('parseDeploymentQuery: names', () => {
  it.each([
    ['Top', '7'],
    ['TOP', '7'],
    ['tOp', '7'],
  ])('matches %s case-insensitively', (name, value) => {
    expect(parseDeploymentQuery({ [name]: value }).top).toBe(7);
  });

  it('matches every known name case-insensitively', () => {
    const q = parseDeploymentQuery({
      SKIP: '3',
      Filter: "channel eq 'x'",
      GroupBy: 'channel',
      PROCESSEDDATETIME: '2024-01-02',
    });
    expect([q.skip, q.filter?.kind, q.groupBy, q.processedDate]).toEqual([
      3,
      'comparison',
      ['channel'],
      '2024-01-02',
    ]);
  });

  it('rejects a parameter given twice by spelling', () => {
    const err = rejects(
      { top: '1', TOP: '2' },
      'invalidInput',
      "The parameter 'top' is given more than once.",
    );
    expect(err.data).toEqual([{ parameter: 'top' }]);
  });

  it('rejects a parameter given twice as an array', () => {
    rejects(
      { filter: ["channel eq 'a'", "channel eq 'b'"] },
      'invalidInput',
      "The parameter 'filter' is given more than once.",
    );
    rejects(
      { processeddatetime: '2024-01-01', processedDateTime: ['2024-01-01'] },
      'invalidInput',
      "The parameter 'processedDateTime' is given more than once.",
    );
  });

  it('takes a one-element array as the value and an empty array as absent', () => {
    expect(parseDeploymentQuery({ top: ['9'], skip: [] })).toMatchObject({ top: 9, skip: 0 });
  });

  it('still ignores unknown parameters given twice', () => {
    expect(parseDeploymentQuery({ foo: ['1', '2'], FOO: '3' }).top).toBe(DEFAULT_TOP);
  });
});

describe('parseDeploymentQuery: top', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['007', 7],
    ['9999', 9999],
    ['10000', MAX_TOP],
    ['10001', MAX_TOP],
    ['20000', MAX_TOP],
    ['99999999999999999999999999999999', MAX_TOP],
    ['9'.repeat(400), MAX_TOP],
  ])('top=%s → %d', (value, top) => {
    expect(parseDeploymentQuery({ top: value }).top).toBe(top);
  });

  it.each(['-1', '1.5', '', '1e3', ' 5', '5 ', '+5', 'ten', '0x10', '５', 'Infinity'])(
    'rejects top=%j',
    (value) => {
      const err = rejects(
        { top: value },
        'invalidInput',
        `The parameter 'top' must be a whole number from 0 to ${MAX_TOP} (larger values are capped); got '${value}'.`,
      );
      expect(err.code).toBe(800002);
      expect(err.data).toEqual([{ parameter: 'top', value }]);
    },
  );

  it('clips a long bad value in the description', () => {
    const err = caught(() => parseDeploymentQuery({ top: `x${'9'.repeat(100)}` }));
    expect(err.description).toContain(`'x${'9'.repeat(39)}…'`);
    expect(err.description).not.toContain('9'.repeat(40));
  });
});

describe('parseDeploymentQuery: skip', () => {
  it.each([
    ['0', 0],
    ['10000', 10000],
    ['123456789', 123456789],
    [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
    ['9007199254740992', Number.MAX_SAFE_INTEGER],
    ['99999999999999999999', Number.MAX_SAFE_INTEGER],
  ])('skip=%s → %d', (value, skip) => {
    expect(parseDeploymentQuery({ skip: value }).skip).toBe(skip);
  });

  it.each(['-1', '2.0', '', 'abc', '1e2', ' 1'])('rejects skip=%j', (value) => {
    rejects(
      { skip: value },
      'invalidInput',
      `The parameter 'skip' must be a whole number of 0 or more; got '${value}'.`,
    );
  });
});

describe('parseDeploymentQuery: filter', () => {
  it('is null when absent and parsed when present', () => {
    expect(parseDeploymentQuery({}).filter).toBeNull();
    const f = parseDeploymentQuery({ filter: "SERVICECODE EQ 'x' AND Channel Ne 'y'" }).filter;
    expect(f && printTree(f)).toBe("(and (eq serviceCode 'x') (ne channel 'y'))");
  });

  it.each(['', '   '])('rejects an empty filter %j as an empty expression', (value) => {
    const err = rejects(
      { filter: value },
      'invalidFilter',
      "Empty filter at position 0: expected a comparison such as serviceCode eq 'o365'.",
    );
    expect(err.data).toEqual([{ position: 0, token: '' }]);
  });

  it('passes parse errors through with their position', () => {
    const err = rejects(
      { filter: "serviceCode gt 'o365'" },
      'invalidFilter',
      "Unknown operator 'gt' at position 12: expected eq or ne.",
    );
    expect(err.data).toEqual([{ position: 12, token: 'gt' }]);
  });

  it('re-exports parseFilter', () => {
    expect(parseFilter("channel eq 'x'").kind).toBe('comparison');
  });
});

describe('parseDeploymentQuery: groupby', () => {
  it.each([
    ['serviceCode', ['serviceCode']],
    [' channel , SERVICECODE,channel', ['channel', 'serviceCode']],
    [
      'productName,productId,customerName,customerTenantId,channel,serviceName,serviceCode',
      [
        'productName',
        'productId',
        'customerName',
        'customerTenantId',
        'channel',
        'serviceName',
        'serviceCode',
      ],
    ],
    ['customertenantid,\tCustomerTenantID ', ['customerTenantId']],
  ])('groupby=%j', (value, groupBy) => {
    expect(parseDeploymentQuery({ groupby: value }).groupBy).toEqual(groupBy);
  });

  it.each([
    ['', 0],
    ['  ', 0],
    ['channel,,serviceCode', 8],
    ['channel,', 8],
    [',channel', 0],
    ['channel, ,serviceCode', 8],
  ])('rejects an empty member in %j', (value, at) => {
    const err = rejects(
      { groupby: value },
      'invalidInput',
      `The parameter 'groupby' has an empty field name at position ${at}: list fields separated by single commas, e.g. groupby=serviceCode,channel.`,
    );
    expect(err.data).toEqual([{ parameter: 'groupby', value }]);
  });

  it('rejects an unknown member, naming it', () => {
    const err = rejects(
      { groupby: 'channel, licensesSold' },
      'invalidProperty',
      "Unknown groupby field 'licensesSold' at position 9: expected one of serviceCode, serviceName, channel, customerTenantId, customerName, productId, productName.",
    );
    expect(err.code).toBe(3000);
    expect(err.data).toEqual([{ parameter: 'groupby', position: 9, token: 'licensesSold' }]);
  });
});

describe('parseDeploymentQuery: processedDateTime', () => {
  it.each([
    ['2024-03-01', '2024-03-01'],
    ['2024-03-01T00:00:00', '2024-03-01'],
    ['2024-03-01T23:30:00Z', '2024-03-01'],
    ['2024-03-01T23:30:00-02:00', '2024-03-02'],
    ['2024-03-01T01:00:00+05:00', '2024-02-29'],
    // An unencoded `+` in the URL arrives as a space; read it back as the `+` it was.
    ['2024-03-01T01:00:00 05:00', '2024-02-29'],
    ['2024-03-01T01:00 0530', '2024-02-29'],
  ])('%s → %s', (value, day) => {
    expect(parseDeploymentQuery({ processedDateTime: value }).processedDate).toBe(day);
  });

  it.each(['', 'yesterday', '2024-02-30', '2024/03/01', '2024-03-01T25:00:00'])('rejects %j', (value) => {
    const err = rejects(
      { processedDateTime: value },
      'invalidInput',
      `The parameter 'processedDateTime' must be a date (YYYY-MM-DD) or an ISO 8601 date-time; got '${value}'.`,
    );
    expect(err.data).toEqual([{ parameter: 'processedDateTime', value }]);
  });
});

describe('parseDeploymentQuery: never throws anything but a 400 ApiError', () => {
  const name = fc.oneof(
    fc.constantFrom(
      'top',
      'TOP',
      'skip',
      'Skip',
      'filter',
      'FILTER',
      'groupby',
      'GroupBy',
      'processedDateTime',
      '$top',
    ),
    fc.string({ maxLength: 12 }),
  );
  const text = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.stringMatching(/^[0-9]{1,30}$/),
    fc.constantFrom("serviceCode eq 'x'", 'channel, serviceCode', '2024-01-01', '', ' '),
  );
  const value = fc.oneof(text, fc.array(text, { maxLength: 3 }), fc.constant(undefined));

  it('on random parameter maps', () => {
    fc.assert(
      fc.property(fc.dictionary(name, value, { maxKeys: 6 }), (params) => {
        try {
          const q = parseDeploymentQuery(params);
          expect(q.top).toBeGreaterThanOrEqual(0);
          expect(q.top).toBeLessThanOrEqual(MAX_TOP);
          expect(Number.isSafeInteger(q.skip) && q.skip >= 0).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(ApiError);
          expect((e as ApiError).status).toBe(400);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
