import { Readable } from 'node:stream';
import { crlfRecords } from '../../src/services/export.service';
import { parseCsv } from './parse-csv';

/**
 * COPY ends records with LF; the export promises CRLF. Records split across chunks anywhere
 * (pg-copy-streams passes on what each socket read holds), so every split point is tried.
 */
const COPY_OUTPUT =
  'name,externalId\n' +
  'Plain,\n' +
  '"Comma, ""quotes"" and\r\nnew lines",x\n' +
  '"line\nfeed only",""""\n' +
  'last,"a,b"\n';

const through = async (chunks: Buffer[]) => {
  let text = '';
  for await (const chunk of Readable.from(chunks).pipe(crlfRecords())) text += String(chunk);
  return text;
};

it('ends records with CRLF and leaves line breaks inside quoted fields alone', async () => {
  const expected =
    'name,externalId\r\n' +
    'Plain,\r\n' +
    '"Comma, ""quotes"" and\r\nnew lines",x\r\n' +
    '"line\nfeed only",""""\r\n' +
    'last,"a,b"\r\n';
  const bytes = Buffer.from(COPY_OUTPUT);
  for (let a = 0; a <= bytes.length; a++) {
    for (let b = a; b <= bytes.length; b += 7) {
      const chunks = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
      expect(await through(chunks)).toBe(expected);
    }
  }
  expect(parseCsv(expected)).toEqual([
    ['name', 'externalId'],
    ['Plain', ''],
    ['Comma, "quotes" and\r\nnew lines', 'x'],
    ['line\nfeed only', '"'],
    ['last', 'a,b'],
  ]);
});
