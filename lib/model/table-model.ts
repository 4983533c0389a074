// The resolved, serializable form of a table lives in the leaf schema model (lib/schema/);
// re-exported here for the modules that build it.
export {
  INDEX_METHODS,
  REFERENTIAL_ACTIONS,
  SORT_ORDERS,
  NULLS_ORDERS,
} from '../schema/schema-model';
export type {
  IndexMethod,
  ReferentialAction,
  SortOrder,
  NullsOrder,
  IndexColumnModel,
  IndexModel,
  KeyModel,
  CheckModel,
  ForeignKeyModel,
  TableModel,
  EnumModel,
} from '../schema/schema-model';
