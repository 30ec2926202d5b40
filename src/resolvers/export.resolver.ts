import { Arg, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import { CreateApiTokenInput, ExportReportInput } from '../schema/types/inputs';
import { ApiTokenPayload, ExportPayload } from '../schema/types/payloads';
import { notImplemented } from '../services/errors';
import { ReturnUserErrors } from './middleware/return-user-errors';

@Resolver()
export class ExportResolver {
  @Mutation(() => ExportPayload)
  @UseMiddleware(ReturnUserErrors)
  exportReport(@Arg('input', () => ExportReportInput) _input: ExportReportInput): ExportPayload {
    throw notImplemented('exportReport');
  }

  @Mutation(() => ApiTokenPayload, {
    description: "A read-only token for partner tooling over one account's reports (R18).",
  })
  @UseMiddleware(ReturnUserErrors)
  createApiToken(
    @Arg('input', () => CreateApiTokenInput) _input: CreateApiTokenInput,
  ): ApiTokenPayload {
    throw notImplemented('createApiToken');
  }
}
