import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root, UseMiddleware } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import { Account, AgencyConnection, ScheduledDisconnection, User } from '../entities';
import { ScheduleDisconnectionInput } from '../schema/types/inputs';
import { DisconnectImpact, ScheduledDisconnectionPayload } from '../schema/types/payloads';
import * as schedules from '../services/scheduled-disconnection.service';
import { ReturnUserErrors } from './middleware/return-user-errors';

@Resolver(() => ScheduledDisconnection)
export class ScheduledDisconnectionResolver {
  @FieldResolver(() => AgencyConnection, {
    nullable: true,
    description: 'Set for an agency <-> premium disconnection.',
  })
  connection(@Root() schedule: ScheduledDisconnection, @Ctx() ctx: RequestContext) {
    return schedule.connectionId ? ctx.loaders.connection.load(schedule.connectionId) : null;
  }

  @FieldResolver(() => Account, { nullable: true, description: 'Set for a client disconnection.' })
  clientAccount(@Root() schedule: ScheduledDisconnection, @Ctx() ctx: RequestContext) {
    return schedule.clientAccountId ? ctx.loaders.account.load(schedule.clientAccountId) : null;
  }

  @FieldResolver(() => User, { nullable: true })
  scheduledBy(@Root() schedule: ScheduledDisconnection, @Ctx() ctx: RequestContext) {
    return schedule.scheduledById ? ctx.loaders.user.load(schedule.scheduledById) : null;
  }

  @FieldResolver(() => User, { nullable: true })
  cancelledBy(@Root() schedule: ScheduledDisconnection, @Ctx() ctx: RequestContext) {
    return schedule.cancelledById ? ctx.loaders.user.load(schedule.cancelledById) : null;
  }

  @FieldResolver(() => DisconnectImpact, {
    nullable: true,
    description: 'What it would change if it ran now (R23).',
  })
  preview(@Root() schedule: ScheduledDisconnection, @Ctx() ctx: RequestContext) {
    return schedules.schedulePreview(ctx, schedule);
  }

  @Mutation(() => ScheduledDisconnectionPayload, {
    description: 'R31: whoever may disconnect may schedule it.',
  })
  @UseMiddleware(ReturnUserErrors)
  async scheduleDisconnection(
    @Arg('input', () => ScheduleDisconnectionInput) input: ScheduleDisconnectionInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ScheduledDisconnectionPayload> {
    return { schedule: await schedules.scheduleDisconnection(ctx, input), userErrors: [] };
  }

  @Mutation(() => ScheduledDisconnectionPayload, {
    description: "R31: either side's deciders, until it runs.",
  })
  @UseMiddleware(ReturnUserErrors)
  async cancelScheduledDisconnection(
    @Arg('scheduleId', () => ID) scheduleId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ScheduledDisconnectionPayload> {
    return {
      schedule: await schedules.cancelScheduledDisconnection(ctx, scheduleId),
      userErrors: [],
    };
  }
}

/** R31: the SCHEDULED disconnection of a connection or of a CLIENT account, as its link shows it. */
@Resolver(() => AgencyConnection)
export class ConnectionScheduleResolver {
  @FieldResolver(() => ScheduledDisconnection, {
    nullable: true,
    description: 'R31: the disconnection scheduled for this connection, if one is SCHEDULED.',
  })
  scheduledDisconnection(@Root() connection: AgencyConnection, @Ctx() ctx: RequestContext) {
    return ctx.loaders.pendingScheduleByTarget.load(connection.id);
  }
}

@Resolver(() => Account)
export class AccountScheduleResolver {
  @FieldResolver(() => ScheduledDisconnection, {
    nullable: true,
    description: 'R31: the disconnection scheduled for this CLIENT account, if one is SCHEDULED.',
  })
  scheduledDisconnection(@Root() account: Account, @Ctx() ctx: RequestContext) {
    return ctx.loaders.pendingScheduleByTarget.load(account.id);
  }
}
