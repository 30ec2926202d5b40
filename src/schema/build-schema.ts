import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchemaSync } from 'type-graphql';
import { applyMiddlewareToDeclaredResolvers } from 'graphql-middleware';
import { permissions } from '../permissions/permission-map';
import { resolvers } from '../resolvers';

export const SCHEMA_FILE = path.join(__dirname, '..', '..', 'src', 'schema', 'schema.graphql');

/** The schema as the code declares it, before permissions are applied. */
export function buildBareSchema(): GraphQLSchema {
  return buildSchemaSync({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  });
}

/** The SDL committed as src/schema/schema.graphql (sorted, so diffs are reviewable). */
export const printServedSchema = (schema: GraphQLSchema) =>
  printSchema(lexicographicSortSchema(schema)) + '\n';

/**
 * The served schema: shield wraps only resolvers the code declares (root fields and relation
 * field resolvers). Plain data fields use simpleResolvers and are never wrapped; see
 * src/permissions/permission-map.ts for why that is safe.
 */
export function buildServedSchema(): GraphQLSchema {
  return applyMiddlewareToDeclaredResolvers(buildBareSchema(), permissions);
}

export function emitSchemaFile(schema: GraphQLSchema, file = SCHEMA_FILE): void {
  writeFileSync(file, printServedSchema(schema));
}
