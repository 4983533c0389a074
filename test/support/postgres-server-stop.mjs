// Jest global teardown: stops the PostgreSQL that postgres-server.mjs started, if any.
import { stopPostgres } from './postgres-server.mjs';

export default stopPostgres;
