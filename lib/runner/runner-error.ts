// The errors the runner explains, and how it words PostgreSQL's.
import { DatabaseError } from 'pg';

/** A refusal or failure the runner explains; nothing of the failed migration remains. */
export class RunnerError extends Error {}

/** PostgreSQL's message with its SQLSTATE, detail and context, or the error's own message. */
export function describe(error: unknown): string {
  if (error instanceof DatabaseError) {
    return `${error.message} (SQLSTATE ${error.code})${error.detail ? `; ${error.detail}` : ''}${error.where ? `; ${error.where}` : ''}`;
  }
  return (error as Error).message;
}
