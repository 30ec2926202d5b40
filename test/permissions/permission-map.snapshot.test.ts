/**
 * The permission map as text (Type.field: rule chain), under a Jest snapshot: a diff of the
 * snapshot is a permission change and is reviewed as one. Both `parentIsVisible` and
 * `visibilityFilter` are shield's `allow` and render as `allow` (see permission-map.ts).
 * After an intended change: `npm test -- test/permissions -u`, and commit the .snap.
 */
import { renderPermissionMap } from './permission-map-render';

it('the permission map is unchanged', () => {
  expect(`\n${renderPermissionMap()}\n`).toMatchSnapshot();
});
