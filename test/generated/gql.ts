/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation TestCreateAgency($input: CreateAgencyInput!) {\n  createAgency(input: $input) {\n    account {\n      id\n      name\n      type\n      status\n      organization {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation TestCreateClientAccount($input: CreateClientAccountInput!) {\n  createClientAccount(input: $input) {\n    account {\n      id\n      type\n      clientAccess\n      agency {\n        id\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation TestAddMember($input: AddMemberInput!) {\n  addMember(input: $input) {\n    membership {\n      role\n      user {\n        id\n        email\n      }\n      account {\n        id\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}": typeof types.TestCreateAgencyDocument,
    "query TestViewer {\n  viewer {\n    id\n    email\n    isStaff\n    memberships {\n      role\n      account {\n        id\n        name\n        type\n      }\n    }\n  }\n}": typeof types.TestViewerDocument,
};
const documents: Documents = {
    "mutation TestCreateAgency($input: CreateAgencyInput!) {\n  createAgency(input: $input) {\n    account {\n      id\n      name\n      type\n      status\n      organization {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation TestCreateClientAccount($input: CreateClientAccountInput!) {\n  createClientAccount(input: $input) {\n    account {\n      id\n      type\n      clientAccess\n      agency {\n        id\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation TestAddMember($input: AddMemberInput!) {\n  addMember(input: $input) {\n    membership {\n      role\n      user {\n        id\n        email\n      }\n      account {\n        id\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}": types.TestCreateAgencyDocument,
    "query TestViewer {\n  viewer {\n    id\n    email\n    isStaff\n    memberships {\n      role\n      account {\n        id\n        name\n        type\n      }\n    }\n  }\n}": types.TestViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation TestCreateAgency($input: CreateAgencyInput!) {\n  createAgency(input: $input) {\n    account {\n      id\n      name\n      type\n      status\n      organization {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation TestCreateClientAccount($input: CreateClientAccountInput!) {\n  createClientAccount(input: $input) {\n    account {\n      id\n      type\n      clientAccess\n      agency {\n        id\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation TestAddMember($input: AddMemberInput!) {\n  addMember(input: $input) {\n    membership {\n      role\n      user {\n        id\n        email\n      }\n      account {\n        id\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}"): (typeof documents)["mutation TestCreateAgency($input: CreateAgencyInput!) {\n  createAgency(input: $input) {\n    account {\n      id\n      name\n      type\n      status\n      organization {\n        id\n        name\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation TestCreateClientAccount($input: CreateClientAccountInput!) {\n  createClientAccount(input: $input) {\n    account {\n      id\n      type\n      clientAccess\n      agency {\n        id\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}\n\nmutation TestAddMember($input: AddMemberInput!) {\n  addMember(input: $input) {\n    membership {\n      role\n      user {\n        id\n        email\n      }\n      account {\n        id\n      }\n    }\n    userErrors {\n      code\n      field\n      message\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TestViewer {\n  viewer {\n    id\n    email\n    isStaff\n    memberships {\n      role\n      account {\n        id\n        name\n        type\n      }\n    }\n  }\n}"): (typeof documents)["query TestViewer {\n  viewer {\n    id\n    email\n    isStaff\n    memberships {\n      role\n      account {\n        id\n        name\n        type\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;