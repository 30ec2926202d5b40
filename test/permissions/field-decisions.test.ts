/**
 * Issue 29 #1: every field-level decision (src/permissions/field-decisions.ts) names a relation
 * field the permission map lists, once — so docs/permissions.md never documents a field that does
 * not exist, or one field twice with two answers.
 */
import { FIELD_DECISIONS } from '../../src/permissions/field-decisions';
import { permissionRules } from '../../src/permissions/permission-map';

it('each field decision names one listed relation field, once', () => {
  const listed = new Set(
    Object.entries(permissionRules).flatMap(([type, fields]) =>
      Object.keys(fields).map((field) => `${type}.${field}`),
    ),
  );
  const named = FIELD_DECISIONS.map((d) => d.field);
  expect(named.filter((field) => !listed.has(field))).toEqual([]);
  expect(new Set(named).size).toBe(named.length);
  expect(named).toHaveLength(9);
});
