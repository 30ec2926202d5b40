import { Arg, Ctx, ID, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import { ApiTokenInfo, RevokeApiTokenPayload } from '../schema/types/api-token.type';
import { CreateApiTokenInput, ExportReportInput } from '../schema/types/inputs';
import { ApiTokenPayload, ExportPayload } from '../schema/types/payloads';
import { createApiToken, listApiTokens, revokeApiToken } from '../services/api-token.service';
import { exportReport } from '../services/export.service';
import { ReturnUserErrors } from './middleware/return-user-errors';

@Resolver()
export class ExportResolver {
  @Mutation(() => ExportPayload, {
    description:
      'R17: CSV or JSON of a report the viewer can see (active or archived). `content` for ' +
      'reports up to 1,000 items; `url` always (signed, valid 10 minutes, streams any size).',
  })
  @UseMiddleware(ReturnUserErrors)
  async exportReport(
    @Arg('input', () => ExportReportInput) input: ExportReportInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ExportPayload> {
    return { ...(await exportReport(ctx, input, ctx.baseUrl)), userErrors: [] };
  }

  @Mutation(() => ApiTokenPayload, {
    description: "A read-only token for partner tooling over one account's reports (R18).",
  })
  @UseMiddleware(ReturnUserErrors)
  async createApiToken(
    @Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput,
    @Ctx() ctx: RequestContext,
  ): Promise<ApiTokenPayload> {
    return { ...(await createApiToken(ctx, input)), userErrors: [] };
  }

  @Query(() => [ApiTokenInfo], {
    description: "R18: the account's partner API tokens (account ADMIN). Never the secret.",
  })
  apiTokens(@Arg('accountId', () => ID) accountId: string, @Ctx() ctx: RequestContext) {
    return listApiTokens(ctx, accountId);
  }

  @Mutation(() => RevokeApiTokenPayload, {
    description: 'R18: revokes a partner API token (account ADMIN); it stops working at once.',
  })
  @UseMiddleware(ReturnUserErrors)
  async revokeApiToken(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<RevokeApiTokenPayload> {
    return { apiToken: await revokeApiToken(ctx, id), userErrors: [] };
  }
}
