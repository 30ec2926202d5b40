import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { PageSelection } from '../services/pagination';

type Fragments = GraphQLResolveInfo['fragments'];

/**
 * The fields selected in `sets` (through fragments, merged over every occurrence), each with the
 * selection sets under it. `@skip`/`@include` are not evaluated: a conditionally selected field
 * counts as selected, so a list never fetches less than it may need.
 */
function fieldsIn(
  sets: readonly (SelectionSetNode | undefined)[],
  fragments: Fragments,
): Map<string, SelectionSetNode[]> {
  const fields = new Map<string, SelectionSetNode[]>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const under = fields.get(selection.name.value) ?? [];
        if (selection.selectionSet) under.push(selection.selectionSet);
        fields.set(selection.name.value, under);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else visit(fragments[selection.name.value]?.selectionSet);
    }
  };
  sets.forEach(visit);
  fields.delete('__typename');
  return fields;
}

const ownFields = (info: GraphQLResolveInfo) =>
  fieldsIn(
    info.fieldNodes.map((node) => node.selectionSet),
    info.fragments,
  );

/** The field names the client selected on this field's result. */
export function selectedFields(info: GraphQLResolveInfo): Set<string> {
  return new Set(ownFields(info).keys());
}

/** The field names selected on a connection's nodes: `nodes { … }` and `edges { node { … } }`. */
export function selectedNodeFields(info: GraphQLResolveInfo): Set<string> {
  const connection = ownFields(info);
  const edges = fieldsIn(connection.get('edges') ?? [], info.fragments);
  return new Set(
    fieldsIn(
      [...(connection.get('nodes') ?? []), ...(edges.get('node') ?? [])],
      info.fragments,
    ).keys(),
  );
}

/** The client selected `totalCount` on this connection. */
export const selectsTotal = (info: GraphQLResolveInfo) => selectedFields(info).has('totalCount');

/** The client selected nothing but `totalCount`: no row of the list is needed. */
export function selectsOnlyTotal(info: GraphQLResolveInfo): boolean {
  const names = selectedFields(info);
  return names.size === 1 && names.has('totalCount');
}

/** What the client selected on a connection: `totalCount` and its nodes' fields. */
export const pageSelection = (info: GraphQLResolveInfo): PageSelection => ({
  total: selectsTotal(info),
  nodeFields: selectedNodeFields(info),
});
