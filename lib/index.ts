// The public API of the Bedrock schema construct library.
export { createApp } from './app';
export { loadSqlParser } from './sql/parser';
export { quoteIdentifier, qualifiedName, identifierProblem, validateIdentifier, MAX_IDENTIFIER_BYTES } from './sql/identifier';
export { quoteLiteral } from './sql/literal';
export { createObjects, createTable, createIndex, createEnum, addForeignKey, tableComments, columnDefinition } from './sql/ddl';

export { Column, ColumnModel, ColumnDefault, IdentityGeneration } from './model/column';
export { ColumnType } from './model/column-type';
export { Table, TableProps, Columns, ColumnName, IndexProps, IndexColumn, UniqueProps, CheckProps, ForeignKeyProps, TableReference } from './model/table';
export * from './model/table-model';
export { EnumType, EnumTypeProps } from './model/enum-type';
export { ModelError } from './model/model-error';
export { smallint, integer, bigint, serial, bigserial, IntegerColumn } from './model/columns/integer';
export { numeric } from './model/columns/numeric';
export { real, doublePrecision } from './model/columns/float';
export { boolean } from './model/columns/boolean';
export { text, varchar, char } from './model/columns/text';
export { date, time, timestamp, timestamptz, interval } from './model/columns/temporal';
export { uuid } from './model/columns/uuid';
export { json, jsonb } from './model/columns/json';
export { bytea } from './model/columns/bytea';
export { inet } from './model/columns/inet';

export { ServiceRegistry, ServiceDefinition, ownerRoleName, appRoleName, schemaName } from './services/service-registry';
export { EnvironmentConfig, ConnectionConfig, BackendConfig, SslMode, DEFAULT_POSTGRES_VERSION } from './stacks/environment';
export { PlatformStack, PlatformStackProps, platformStackId } from './stacks/platform-stack';
export { ServiceStack, ServiceStackProps, serviceStackId } from './stacks/service-stack';
export { defineEnvironment, DefineTables, EnvironmentStacks, EnvironmentStacksProps } from './stacks/define-environment';
export { tableAccess, RoleAccess, WRITER_TABLE_PRIVILEGES, READER_TABLE_PRIVILEGES, WRITER_SEQUENCE_PRIVILEGES } from './stacks/access-policy';
