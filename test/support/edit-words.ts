// Model edits in words, for failure reports: short enough to read in a terminal, complete
// enough to rebuild the edit by hand.
import { ColumnDesc, DefaultDesc, IndexDesc, predicateSql, TableDesc, typeName } from './model-description';
import { Edit, Mutation } from './model-edits';

export function describeMutation(part: Mutation): string {
  switch (part.kind) {
    case 'addTable':
      return `add table ${part.table.name} (${part.table.columns.map(describeColumn).join(', ')}${part.table.primaryKey ? `; pk ${part.table.primaryKey.join(',')}` : ''}${tableExtras(part.table)})`;
    case 'dropTable':
      return `drop table ${part.table}`;
    case 'renameTable':
      return `rename table ${part.from} -> ${part.to}`;
    case 'setTableComment':
      return `${part.table}: ${part.comment === undefined ? 'drop comment' : `comment '${part.comment}'`}`;
    case 'addColumn':
      return `${part.table}: add column ${describeColumn(part.column)}`;
    case 'dropColumn':
      return `${part.table}: drop column ${part.column}`;
    case 'renameColumn':
      return `${part.table}: rename column ${part.from} -> ${part.to}`;
    case 'changeType':
      return `${part.table}.${part.column}: type ${typeName(part.type)}`;
    case 'setNotNull':
      return `${part.table}.${part.column}: ${part.notNull ? 'notNull' : 'nullable'}`;
    case 'setDefault':
      return `${part.table}.${part.column}: ${part.default ? `default ${describeDefault(part.default)}` : 'drop default'}`;
    case 'setColumnComment':
      return `${part.table}.${part.column}: ${part.comment === undefined ? 'drop comment' : `comment '${part.comment}'`}`;
    case 'setIdentity':
      return `${part.table}.${part.column}: ${part.identity ? `generated ${part.identity} as identity` : 'no identity'}`;
    case 'setForeignKeyAction':
      return `${part.table}: foreign key ${part.id} on delete ${part.onDelete}`;
    case 'setEnumComment':
      return `enum ${part.enum}: ${part.comment === undefined ? 'drop comment' : `comment '${part.comment}'`}`;
    case 'setPrimaryKey':
      return `${part.table}: ${part.columns ? `primary key (${part.columns.join(', ')})` : 'drop primary key'}${part.keepOldAsUnique ? ', old key kept as a unique' : ''}`;
    case 'addUnique':
      return `${part.table}: add unique ${part.unique.name ?? '(default name)'} (${part.unique.columns.join(', ')})${part.unique.nullsNotDistinct ? ' nulls not distinct' : ''}`;
    case 'addCheck':
      return `${part.table}: add check ${part.check.name} (${predicateSql(part.check.predicate)})`;
    case 'addIndex':
      return `${part.table}: add ${part.index.unique ? 'unique ' : ''}index ${part.index.name ?? '(default name)'} ${describeIndex(part.index)}`;
    case 'addForeignKey':
      return `${part.table}: add foreign key ${part.foreignKey.name ?? '(default name)'} (${part.foreignKey.columns.join(', ')}) -> ${part.foreignKey.table} (${part.foreignKey.refColumns.join(', ')})`;
    case 'dropUnique':
    case 'dropCheck':
    case 'dropIndex':
    case 'dropForeignKey':
      return `${part.table}: ${part.kind.replace('drop', 'drop ').toLowerCase()} ${part.id}`;
    case 'addEnum':
      return `add enum ${part.enum.name} (${part.enum.values.join(', ')})${part.enum.comment ? ` comment '${part.enum.comment}'` : ''}`;
    case 'dropEnum':
      return `drop enum ${part.enum}`;
    case 'addEnumValue':
      return `enum ${part.enum}: add '${part.value}' ${part.before ? `before '${part.before}'` : 'last'}`;
    case 'removeEnumValue':
      return `enum ${part.enum}: remove '${part.value}'`;
    case 'reorderEnum':
      return `enum ${part.enum}: reorder to (${part.values.join(', ')})`;
  }
}

function describeIndex(i: IndexDesc): string {
  const columns = i.columns.map((c, k) => (k === 0 && i.descending ? `${c} desc` : c)).join(', ');
  return `(${columns})${i.include ? ` include (${i.include.join(', ')})` : ''}${i.where ? ` where ${predicateSql(i.where)}` : ''}`;
}

function describeDefault(d: DefaultDesc): string {
  return d.kind === 'sql' ? `sql ${d.sql}` : JSON.stringify(d.value);
}

function describeColumn(c: ColumnDesc): string {
  return [c.name, typeName(c.type), c.identity ? `generated ${c.identity} as identity` : '', c.notNull ? 'not null' : '', c.default ? `default ${describeDefault(c.default)}` : '', c.comment ? `comment '${c.comment}'` : ''].filter(Boolean).join(' ');
}

function tableExtras(t: TableDesc): string {
  const parts = [
    ...t.uniques.map((u) => `unique (${u.columns.join(',')})`),
    ...t.checks.map((k) => `check ${predicateSql(k.predicate)}`),
    ...t.indexes.map((i) => `index ${describeIndex(i)}`),
    ...t.foreignKeys.map((f) => `fk (${f.columns.join(',')}) -> ${f.table}`),
  ];
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

export function describeEdit(edit: Edit): string {
  return `${edit.kind}: ${edit.parts.map(describeMutation).join('; ')}`;
}
