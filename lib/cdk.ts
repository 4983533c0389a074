// The one module that imports the CDK (cdktf) and the postgresql provider bindings: everything
// else imports them from here, so moving to CDK Terrain (npm `cdktn`, the community fork of
// cdktf, which HashiCorp deprecated on 2025-12-10) touches no other file.
//
// How to switch (README, section "CDK Terrain"): today, alias the package in package.json
// ("cdktf": "npm:cdktn@0.24.0") and leave this file as it is: the prebuilt
// @cdktf/provider-postgresql requires `cdktf` itself, and the alias serves it cdktn too. Once
// @cdktn/provider-postgresql is published, change the module names below ('cdktf' to 'cdktn',
// '@cdktf/provider-postgresql/...' to '@cdktn/provider-postgresql/...') and drop the alias.
// test/e2e/cdktn-synth.test.ts synthesizes the Bedrock app with both and compares the output.

export { App, Aspects, AssetType, Lazy, LocalBackend, TerraformAsset, TerraformBackend, TerraformOutput, TerraformRemoteState, TerraformResource, TerraformStack, Testing } from 'cdktf';
export type { AppConfig, IAspect, TerraformResourceConfig } from 'cdktf';

// One binding per resource file, not the provider's index: the index loads every resource.
export { Database } from '@cdktf/provider-postgresql/lib/database';
export type { DatabaseConfig } from '@cdktf/provider-postgresql/lib/database';
export { DefaultPrivileges } from '@cdktf/provider-postgresql/lib/default-privileges';
export type { DefaultPrivilegesConfig } from '@cdktf/provider-postgresql/lib/default-privileges';
export { Extension } from '@cdktf/provider-postgresql/lib/extension';
export type { ExtensionConfig } from '@cdktf/provider-postgresql/lib/extension';
export { Grant } from '@cdktf/provider-postgresql/lib/grant';
export type { GrantConfig } from '@cdktf/provider-postgresql/lib/grant';
export { GrantRole } from '@cdktf/provider-postgresql/lib/grant-role';
export type { GrantRoleConfig } from '@cdktf/provider-postgresql/lib/grant-role';
export { PostgresqlProvider } from '@cdktf/provider-postgresql/lib/provider';
export type { PostgresqlProviderConfig } from '@cdktf/provider-postgresql/lib/provider';
export { Role } from '@cdktf/provider-postgresql/lib/role';
export type { RoleConfig } from '@cdktf/provider-postgresql/lib/role';
export { Schema } from '@cdktf/provider-postgresql/lib/schema';
export type { SchemaConfig } from '@cdktf/provider-postgresql/lib/schema';
