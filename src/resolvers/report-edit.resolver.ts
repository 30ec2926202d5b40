import { Arg, Ctx, ID, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import {
  RemoveReportItemsInput,
  ShareReportInput,
  UpdateReportInput,
} from '../schema/types/inputs';
import { DeleteReportPayload, ReportPayload } from '../schema/types/payloads';
import * as edits from '../services/report-edit.service';
import { ReturnUserErrors } from './middleware/return-user-errors';

/** Changing an ACTIVE report after it was made (R25). */
@Resolver()
@UseMiddleware(ReturnUserErrors)
export class ReportEditResolver {
  @Mutation(() => ReportPayload)
  async shareReport(
    @Arg('input', () => ShareReportInput) input: ShareReportInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ReportPayload> {
    return { report: await edits.shareReport(ctx, input), userErrors: [] };
  }

  @Mutation(() => ReportPayload)
  async unshareReport(
    @Arg('input', () => ShareReportInput) input: ShareReportInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ReportPayload> {
    return { report: await edits.unshareReport(ctx, input), userErrors: [] };
  }

  @Mutation(() => ReportPayload, {
    description: 'Rename or change visibility of an ACTIVE report (REPORT_ARCHIVED otherwise).',
  })
  async updateReport(
    @Arg('input', () => UpdateReportInput) input: UpdateReportInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ReportPayload> {
    return { report: await edits.updateReport(ctx, input), userErrors: [] };
  }

  @Mutation(() => ReportPayload)
  async removeReportItems(
    @Arg('input', () => RemoveReportItemsInput) input: RemoveReportItemsInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ReportPayload> {
    return { report: await edits.removeReportItems(ctx, input), userErrors: [] };
  }

  @Mutation(() => DeleteReportPayload, {
    description: 'An ACTIVE report only; archived reports are kept (R11).',
  })
  async deleteReport(
    @Arg('reportId', () => ID) reportId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<DeleteReportPayload> {
    return { deletedReportId: await edits.deleteReport(ctx, reportId), userErrors: [] };
  }
}
