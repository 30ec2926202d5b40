import { buildServedSchema, emitSchemaFile, SCHEMA_FILE } from './build-schema';

/** `npm run schema:emit`: rewrites the committed src/schema/schema.graphql from the code. */
emitSchemaFile(buildServedSchema());
console.log(`Wrote ${SCHEMA_FILE}`);
