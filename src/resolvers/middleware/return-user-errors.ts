import type { MiddlewareFn } from 'type-graphql';
import { DomainError } from '../../shared/errors';

/**
 * The one place business-rule failures become payload `userErrors` (contract conventions).
 * The service threw inside its transaction, so nothing was changed.
 */
export const ReturnUserErrors: MiddlewareFn = async (_action, next) => {
  try {
    return await next();
  } catch (error) {
    if (error instanceof DomainError) {
      return { userErrors: [{ code: error.code, message: error.message, field: error.field }] };
    }
    throw error;
  }
};
