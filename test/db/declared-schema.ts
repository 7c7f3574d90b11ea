/**
 * What prisma/schema.prisma declares, read straight from the file, so the tests can hold the
 * migrated database against it. Covers the schema's own constructs only: models with @map/@@map,
 * @unique/@@unique, @@index, @relation(fields, references, onDelete) and enum-typed fields.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type DeclaredField = { name: string; type: string; optional: boolean; column: string };
export type DeclaredRelation = { fields: string[]; onDelete: string | undefined; optional: boolean };
export type DeclaredModel = {
  name: string;
  table: string;
  fields: DeclaredField[];
  uniqueKeys: string[][];
  indexes: string[][];
  relations: DeclaredRelation[];
};

const SCALAR_TYPES = new Set(['String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes']);

/** `[a, b(sort: Desc)]` → ['a', 'b'] */
function fieldList(list: string): string[] {
  return list
    .split(',')
    .map((field) => field.trim().replace(/\(.*$/, ''))
    .filter(Boolean);
}

export function declaredModels(schemaFile = path.resolve(__dirname, '../../prisma/schema.prisma')): DeclaredModel[] {
  const schema = readFileSync(schemaFile, 'utf8');
  const enums = new Set([...schema.matchAll(/^enum (\w+) \{/gm)].map(([, name]) => name));
  const models: DeclaredModel[] = [];
  for (const [, name, body] of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const model: DeclaredModel = { name, table: name, fields: [], uniqueKeys: [], indexes: [], relations: [] };
    for (const line of body.split('\n').map((text) => text.replace(/\/\/.*$/, '').trim())) {
      const blockAttribute = /^@@(\w+)\((.*)\)$/.exec(line);
      if (blockAttribute) {
        const [, attribute, args] = blockAttribute;
        const fields = /\[([^\]]*)\]/.exec(args)?.[1] ?? '';
        if (attribute === 'map') model.table = /"([^"]+)"/.exec(args)![1];
        if (attribute === 'unique') model.uniqueKeys.push(fieldList(fields));
        if (attribute === 'index') model.indexes.push(fieldList(fields));
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\?|\[\])?(.*)$/.exec(line);
      if (!field) continue;
      const [, fieldName, type, modifier, attributes] = field;
      if (SCALAR_TYPES.has(type) || enums.has(type)) {
        const column = /@map\("([^"]+)"\)/.exec(attributes)?.[1] ?? fieldName;
        model.fields.push({ name: fieldName, type, optional: modifier === '?', column });
        if (/@unique\b/.test(attributes)) model.uniqueKeys.push([fieldName]);
      }
      const relation = /@relation\((.*)\)/.exec(attributes);
      const relationFields = relation && /fields:\s*\[([^\]]*)\]/.exec(relation[1]);
      if (relation && relationFields) {
        model.relations.push({
          fields: fieldList(relationFields[1]),
          onDelete: /onDelete:\s*(\w+)/.exec(relation[1])?.[1],
          optional: modifier === '?',
        });
      }
    }
    models.push(model);
  }
  return models;
}

export function columnsOf(model: DeclaredModel, fields: string[]): string[] {
  return fields.map((name) => {
    const field = model.fields.find((candidate) => candidate.name === name);
    if (!field) throw new Error(`${model.name} has no scalar field ${name}`);
    return field.column;
  });
}
