import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Info,
  Mutation,
  Query,
  Resolver,
  Root,
  UseMiddleware,
} from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Account, Report, ReportStatus, User } from '../entities';
import type { RequestContext } from '../context/request-context';
import { AddReportItemsInput, CreateReportInput, ReportFilter } from '../schema/types/inputs';
import { ReportConnection, ReportingItemConnection } from '../schema/types/connections.type';
import { ReportPayload } from '../schema/types/payloads';
import {
  addReportItems,
  createReport,
  findReport,
  listReportItems,
  listReports,
} from '../services/report.service';
import { reportCreatedBy } from '../permissions/field-decisions';
import { PageArgsType } from '../schema/types/page-args.type';
import { ReturnUserErrors } from './middleware/return-user-errors';
import { pageSelection, selectsOnlyTotal } from './selection';

@Resolver(() => Report)
export class ReportResolver {
  @Query(() => Report, { nullable: true })
  report(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return findReport(ctx, id);
  }

  @Query(() => ReportConnection)
  reports(
    @Arg('filter', () => ReportFilter, { nullable: true }) filter: ReportFilter | null,
    @Args() page: PageArgsType,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return listReports(ctx, filter, page, pageSelection(info));
  }

  @FieldResolver(() => Account)
  account(@Root() report: Report, @Ctx() ctx: RequestContext) {
    return ctx.loaders.account.load(report.accountId);
  }

  @FieldResolver(() => Boolean)
  archived(@Root() report: Report): boolean {
    return report.status === ReportStatus.ARCHIVED;
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() report: Report, @Ctx() ctx: RequestContext) {
    const creatorId = report.createdById;
    if (!creatorId) return null;
    return reportCreatedBy.answer(ctx, report, () => ctx.loaders.user.load(creatorId));
  }

  @FieldResolver(() => ReportingItemConnection)
  items(
    @Root() report: Report,
    @Args() page: PageArgsType,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return listReportItems(ctx, report, page, selectsOnlyTotal(info));
  }

  @Mutation(() => ReportPayload)
  @UseMiddleware(ReturnUserErrors)
  async createReport(
    @Arg('input', () => CreateReportInput) input: CreateReportInput,
    @Ctx() ctx: RequestContext,
  ) {
    return { report: await createReport(ctx, input), userErrors: [] };
  }

  @Mutation(() => ReportPayload)
  @UseMiddleware(ReturnUserErrors)
  async addReportItems(
    @Arg('input', () => AddReportItemsInput) input: AddReportItemsInput,
    @Ctx() ctx: RequestContext,
  ) {
    return { report: await addReportItems(ctx, input), userErrors: [] };
  }
}
