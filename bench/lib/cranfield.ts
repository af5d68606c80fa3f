// Reads a collection in the Cranfield format: cran.all.1400 (documents: .I id, .T title, .A, .B, .W text),
// cran.qry (queries: .I, .W) and cranqrel ("query document grade", grades 1 best to 4, -1 unjudged).
// The qrels number queries 1..n in file order, not by their .I field.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Collection {
  documents: { id: string; title: string; text: string }[];
  queries: { id: string; text: string }[];
  /** Per query id: document id → gain (4 for grade 1 … 1 for grade 4). */
  judgements: Map<string, Map<string, number>>;
}

export async function loadCranfield(directory: string): Promise<Collection> {
  const [documentsText, queriesText, qrelsText] = await Promise.all(
    ['cran.all.1400', 'cran.qry', 'cranqrel'].map((name) => readFile(join(directory, name), 'utf8')),
  );
  const documents = records(documentsText!).map((fields) => ({ id: fields.I, title: clean(fields.T ?? ''), text: clean(fields.W ?? '') }));
  const queries = records(queriesText!).map((fields, index) => ({ id: String(index + 1), text: clean(fields.W ?? '') }));
  const judgements = new Map<string, Map<string, number>>();
  for (const line of qrelsText!.split('\n')) {
    const [query, document, grade] = line.trim().split(/\s+/);
    const value = Number(grade);
    if (!query || !document || !(value >= 1 && value <= 4)) continue;
    if (!judgements.has(query)) judgements.set(query, new Map());
    judgements.get(query)!.set(document, 5 - value);
  }
  return { documents, queries: queries.filter((query) => judgements.has(query.id)), judgements };
}

function records(text: string): ({ I: string } & Record<string, string>)[] {
  return text.split(/^\.I\s+/m).filter((part) => part.trim()).map((part) => {
    const [id, ...rest] = part.split('\n');
    const fields: { I: string } & Record<string, string> = { I: String(Number(id!.trim())) };
    let field = '';
    for (const line of rest) {
      const marker = /^\.([A-Z])\s*$/.exec(line);
      if (marker) field = marker[1]!;
      else if (field) fields[field] = `${fields[field] ?? ''}${line}\n`;
    }
    return fields;
  });
}

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/ \./g, '.').trim();
}
