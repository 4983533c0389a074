// Notification owns no tables yet (the seed's registry lists none). It still has its roles,
// its schema and read access to every other service's tables.
import { ServiceStack } from '../../lib';

export function notificationTables(_stack: ServiceStack): void {
  // Define tables here as for the other services: new Table(stack, 'name', { ... }).
}
