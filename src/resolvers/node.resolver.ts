import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Node } from '../entities/node.interface';
import type { RequestContext } from '../context/request-context';
import { findNode } from '../services/node.service';

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true })
  node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return findNode(ctx, id);
  }
}
