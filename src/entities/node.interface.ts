import { Field, ID, InterfaceType } from 'type-graphql';

/** Relay Node. Ids are the rows' UUIDs: unique across every table, so `node(id)` needs no type prefix. */
@InterfaceType('Node')
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
