/**
 * The migration SQL is checked against prisma/schema.prisma through Prisma itself: every model is
 * written with every field set and read back, and every unique key refuses a duplicate. A column
 * missing from the SQL, a wrong type or a missing unique index fails here.
 */
import { Client } from 'pg';
import { createPrismaClient, Prisma, PrismaClient } from '../../db/client';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { columnsOf, DeclaredModel, DeclaredRelation, declaredModels } from './declared-schema';

type Ids = Record<string, number[]>;
type Row = Record<string, unknown>;
type ModelSpec = {
  model: Prisma.ModelName;
  /** Every scalar field but the id; `n` varies the unique-key values between rows. */
  row: (ids: Ids, n: number) => Row;
};

const at = (minute: number) => new Date(`2026-03-04T05:${String(minute).padStart(2, '0')}:06.789Z`);

/** In foreign-key order; every value differs from the schema's default. */
const models: ModelSpec[] = [
  {
    model: 'Account',
    row: (_, n) => ({
      name: 'Acme',
      apiKeyHash: `hash-${n}`,
      createdAt: at(1),
      maxConcurrentAiCalls: 3,
      aiCallTurnAt: at(2),
      creditBalance: 250,
      creditReserved: 40,
    }),
  },
  { model: 'Site', row: (ids, n) => ({ accountId: ids.Account[0], name: `Site ${n}`, createdAt: at(2) }) },
  {
    model: 'Sector',
    row: (ids, n) => ({ accountId: ids.Account[0], siteId: ids.Site[0], name: `Sector ${n}`, createdAt: at(3) }),
  },
  {
    model: 'Cluster',
    row: (ids, n) => ({
      ...placement(ids),
      name: `Cluster ${n}`,
      description: 'Running shoes for trails',
      keywordsCount: 7,
      volume: BigInt(2) ** BigInt(40),
      status: 'archived',
      createdAt: at(4),
      updatedAt: at(5),
    }),
  },
  {
    model: 'Keyword',
    row: (ids, n) => ({
      ...placement(ids),
      keyword: `trail shoes ${n}`,
      volume: 880,
      difficulty: 42,
      intent: 'commercial',
      seedKeyword: 'trail shoes',
      volumeOverride: 990,
      difficultyOverride: 37,
      clusterId: ids.Cluster[0],
      status: 'mapped',
      createdAt: at(6),
      updatedAt: at(7),
    }),
  },
  {
    model: 'ContentIdea',
    row: (ids, n) => ({
      ...placement(ids),
      clusterId: ids.Cluster[0],
      ideaTitle: 'Choosing trail shoes',
      description: 'A buyer guide',
      contentType: 'guide',
      contentStructure: 'pillar_page',
      targetKeywords: 'trail shoes, running',
      estimatedWordCount: 2400,
      status: 'scheduled',
      aiTaskId: 'generate-ideas-1',
      aiItemIndex: n,
      createdAt: at(8),
      updatedAt: at(9),
    }),
  },
  {
    model: 'WriterTask',
    row: (ids) => ({
      ...placement(ids),
      clusterId: ids.Cluster[0],
      ideaId: ids.ContentIdea[0],
      title: 'Choosing trail shoes',
      description: 'Write the guide',
      keywords: 'trail shoes',
      contentType: 'guide',
      contentStructure: 'pillar_page',
      status: 'in_progress',
      metaTitle: 'Trail shoes',
      metaDescription: 'How to choose',
      promptOverride: 'Be brief',
      createdAt: at(10),
      updatedAt: at(11),
    }),
  },
  {
    model: 'Content',
    row: (ids, n) => ({
      ...placement(ids),
      taskId: ids.WriterTask[n],
      title: 'Choosing trail shoes',
      htmlContent: '<h1>Trail shoes</h1><p>…</p>',
      wordCount: 2390,
      metaTitle: 'Trail shoes',
      metaDescription: 'How to choose',
      primaryKeyword: 'trail shoes',
      secondaryKeywords: ['running', 'hiking'],
      tags: ['gear'],
      categories: ['Guides', 'Running'],
      status: 'review',
      metadata: { source: 'ai', version: 2, nested: { ok: true } },
      createdAt: at(12),
      updatedAt: at(13),
    }),
  },
  {
    model: 'Image',
    row: (ids, n) => ({
      accountId: ids.Account[0],
      contentId: ids.Content[0],
      taskId: ids.WriterTask[0],
      imageType: 'desktop',
      position: n + 1,
      prompt: 'A trail at dawn',
      imageUrl: 'https://images.example/1.png',
      provider: 'runware',
      model: 'runware:100@1',
      cost: 0.125,
      status: 'generated',
      createdAt: at(14),
      updatedAt: at(15),
    }),
  },
  {
    model: 'AITaskLog',
    row: (ids, n) => ({
      taskId: `auto-cluster-${n}`,
      accountId: ids.Account[0],
      functionName: 'auto_cluster',
      phase: 'DONE',
      message: 'Created 3 clusters',
      status: 'success',
      percentage: 62,
      duration: 4321,
      cost: 0.0625,
      tokens: 1500,
      credits: 7,
      requestSteps: [{ phase: 'INIT', status: 'success' }],
      responseSteps: [{ phase: 'DONE', status: 'success' }],
      error: 'none',
      payload: { ids: [1, 2, 3] },
      result: { count: 3 },
      retryOf: 'auto-cluster-0',
      retriedAs: 'auto-cluster-9',
      idempotencyKey: `key-${n}`,
      requestHash: 'a1b2c3',
      requestId: 'req-7f3c',
      reparsedAt: at(15),
      startedAt: at(16),
      finishedAt: at(17),
      createdAt: at(18),
      updatedAt: at(19),
    }),
  },
  {
    model: 'AIRequest',
    row: (ids, n) => ({
      taskId: 'auto-cluster-1',
      itemKey: `item-${n}`,
      accountId: ids.Account[0],
      functionName: 'auto_cluster',
      promptType: 'clustering',
      prompt: 'Group these keywords',
      responseText: '{"clusters":[]}',
      parsed: { clusters: [] },
      saved: { clusterIds: [1, 2] },
      model: 'gpt-4o-mini',
      inputTokens: 1000,
      outputTokens: 500,
      cost: 0.25,
      createdAt: at(20),
      updatedAt: at(21),
    }),
  },
  {
    model: 'TaskEvent',
    row: (_ids, n) => ({
      taskId: 'auto-cluster-1',
      event: n ? 'done' : 'progress',
      data: { state: 'PROGRESS', meta: { percentage: 45 } },
      runId: 'run-1',
      seq: n + 4,
      createdAt: at(25),
    }),
  },
  {
    model: 'CreditUsageLog',
    row: (ids, n) => ({
      accountId: ids.Account[0],
      taskId: 'auto-cluster-1',
      itemKey: `item-${n}`,
      kind: 'charge',
      movementKey: `auto-cluster-1/item-${n}/charge`,
      credits: 3,
      operationType: 'auto_cluster',
      creditsUsed: 3,
      costUsd: 0.5,
      tokens: 1500,
      model: 'gpt-4o-mini',
      metadata: { phase: 'SAVE' },
      createdAt: at(22),
    }),
  },
  {
    model: 'AiCallSlot',
    row: (ids, n) => ({
      accountId: ids.Account[0],
      taskId: 'generate-content-1',
      itemKey: `item-${n}`,
      state: 'granted',
      enqueuedAt: at(27),
      grantedAt: at(28),
      leaseUntil: at(29),
    }),
  },
  {
    model: 'IntegrationSettings',
    row: (ids, n) => ({
      accountId: ids.Account[0],
      integrationType: `openai-${n}`,
      config: { apiKey: 'sk-test', model: 'gpt-4o-mini' },
      isActive: false,
      createdAt: at(23),
      updatedAt: at(24),
    }),
  },
  {
    model: 'AIPrompt',
    row: (ids, n) => ({
      accountId: ids.Account[0],
      promptType: `clustering-${n}`,
      promptValue: 'Group these keywords: [IGNORE]',
      createdAt: at(25),
      updatedAt: at(26),
    }),
  },
];

function placement(ids: Ids): Row {
  return { accountId: ids.Account[0], siteId: ids.Site[0], sectorId: ids.Sector[0] };
}

type Delegate = { create(args: { data: Row }): Promise<Row>; findUniqueOrThrow(args: { where: { id: number } }): Promise<Row> };

function delegate(db: PrismaClient, model: Prisma.ModelName): Delegate {
  const key = model.charAt(0).toLowerCase() + model.slice(1);
  return (db as unknown as Record<string, Delegate>)[key];
}

function scalarFields(model: Prisma.ModelName): string[] {
  const fieldEnum = (Prisma as unknown as Record<string, Record<string, string>>)[`${model}ScalarFieldEnum`];
  return Object.values(fieldEnum).filter((field) => field !== 'id');
}

/** The name Prisma gives an index, constraint or key by default. */
function prismaName(model: DeclaredModel, fields: string[], suffix: string): string {
  return [model.table, ...columnsOf(model, fields), suffix].join('_');
}

const POSTGRES_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** Prisma's referential actions as information_schema spells them; defaults depend on optionality. */
function deleteRule(relation: DeclaredRelation): string {
  const action = relation.onDelete ?? (relation.optional ? 'SetNull' : 'Restrict');
  return { Cascade: 'CASCADE', SetNull: 'SET NULL', Restrict: 'RESTRICT', NoAction: 'NO ACTION', SetDefault: 'SET DEFAULT' }[action]!;
}

let database: TestDatabase;
let db: PrismaClient;
const ids: Ids = {};

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrismaClient(database.url, { max: 2 });
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

test('the fixtures cover every model and every scalar field of the schema', () => {
  expect(models.map((spec) => spec.model).sort()).toEqual(Object.values(Prisma.ModelName).sort());
  for (const spec of models) {
    const fixture = spec.row(new Proxy({}, { get: () => [1, 2] }) as Ids, 0);
    expect({ model: spec.model, fields: Object.keys(fixture).sort() }).toEqual({ model: spec.model, fields: scalarFields(spec.model).sort() });
  }
});

test('every model stores and returns a row with every field set', async () => {
  for (const spec of models) {
    const table = delegate(db, spec.model);
    ids[spec.model] = [];
    // Two rows that differ only in their unique keys: a second row must be accepted.
    for (const n of [0, 1]) {
      const data = spec.row(ids, n);
      const created = await table.create({ data });
      ids[spec.model].push(created.id as number);
      expect({ model: spec.model, row: await table.findUniqueOrThrow({ where: { id: created.id as number } }) }).toEqual({
        model: spec.model,
        row: { id: created.id, ...data },
      });
    }
  }
});

test('every unique key rejects a duplicate', async () => {
  const declared = declaredModels();
  for (const spec of models) {
    const model = declared.find((candidate) => candidate.name === spec.model)!;
    for (const key of model.uniqueKeys) {
      // The first row's key with everything else from a third row, so only this key can collide.
      const duplicate = { ...spec.row(ids, 2), ...pick(spec.row(ids, 0), key) };
      const outcome = await delegate(db, spec.model)
        .create({ data: duplicate })
        .then(
          () => 'accepted',
          (error: Prisma.PrismaClientKnownRequestError) => ({ code: error.code, index: violatedIndex(error) }),
        );
      expect({ model: spec.model, key, outcome }).toEqual({
        model: spec.model,
        key,
        outcome: { code: 'P2002', index: prismaName(model, key, 'key') },
      });
    }
  }
});

test('the migrated database has exactly the tables, columns, indexes and foreign keys the schema declares', async () => {
  const declared = declaredModels();
  const expected = {
    columns: declared.flatMap((model) =>
      model.fields.map((field) => `${model.table}.${field.column} ${POSTGRES_TYPES[field.type] ?? `"${field.type}"`}${field.optional ? '' : ' NOT NULL'}`),
    ),
    indexes: declared.flatMap((model) => [
      `${model.table}_pkey UNIQUE`,
      ...model.uniqueKeys.map((key) => `${prismaName(model, key, 'key')} UNIQUE`),
      ...model.indexes.map((key) => prismaName(model, key, 'idx')),
    ]),
    foreignKeys: declared.flatMap((model) =>
      model.relations.map((relation) => `${prismaName(model, relation.fields, 'fkey')} ON DELETE ${deleteRule(relation)} ON UPDATE CASCADE`),
    ),
  };

  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    const lines = async (sql: string) => (await client.query<{ line: string }>(sql)).rows.map((row) => row.line);
    const actual = {
      columns: await lines(`
        SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END AS line
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations' AND a.attnum > 0 AND NOT a.attisdropped`),
      indexes: await lines(`
        SELECT i.relname || CASE WHEN x.indisunique THEN ' UNIQUE' ELSE '' END AS line
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`),
      foreignKeys: await lines(`
        SELECT constraint_name || ' ON DELETE ' || delete_rule || ' ON UPDATE ' || update_rule AS line
        FROM information_schema.referential_constraints WHERE constraint_schema = 'public'`),
    };
    const sorted = (value: Record<string, string[]>) => Object.fromEntries(Object.entries(value).map(([key, list]) => [key, [...list].sort()]));
    expect(sorted(actual)).toEqual(sorted(expected));
  } finally {
    await client.end();
  }
});

test('the schema declares the unique keys the services rely on for idempotent saves', () => {
  const declared = new Map(declaredModels().map((model) => [model.name, model.uniqueKeys]));
  expect(declared.get('ContentIdea')).toContainEqual(['aiTaskId', 'aiItemIndex']);
  expect(declared.get('Content')).toContainEqual(['taskId']);
  expect(declared.get('AIRequest')).toContainEqual(['taskId', 'itemKey']);
  expect(declared.get('CreditUsageLog')).toContainEqual(['movementKey']);
});

function pick(row: Row, fields: string[]): Row {
  return Object.fromEntries(fields.map((field) => [field, row[field]]));
}

/** Through the pg adapter, Prisma reports a unique violation by the index's name. */
function violatedIndex(error: Prisma.PrismaClientKnownRequestError): unknown {
  const meta = error.meta as { driverAdapterError?: { cause?: { constraint?: { index?: string } } } } | undefined;
  return meta?.driverAdapterError?.cause?.constraint?.index;
}
