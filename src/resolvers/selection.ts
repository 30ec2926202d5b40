import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * The field names the client selected on this field's result (through fragments, merged over
 * every occurrence of the field). `@skip`/`@include` are not evaluated: a conditionally
 * selected field counts as selected, so a list never fetches less than it may need.
 */
export function selectedFields(info: GraphQLResolveInfo): Set<string> {
  const names = new Set<string>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else visit(info.fragments[selection.name.value]?.selectionSet);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  names.delete('__typename');
  return names;
}

/** The client selected `totalCount` on this connection. */
export const selectsTotal = (info: GraphQLResolveInfo) => selectedFields(info).has('totalCount');

/** The client selected nothing but `totalCount`: no row of the list is needed. */
export function selectsOnlyTotal(info: GraphQLResolveInfo): boolean {
  const names = selectedFields(info);
  return names.size === 1 && names.has('totalCount');
}
