/**
 * The gateway's last step, cheaper: shape the merged subgraph data into the
 * client's response (field order, aliases, __typename, null propagation for
 * non-null fields, leaf value checks).
 *
 * Same algorithm, same output and the same errors as @apollo/gateway 2.14.4's
 * `computeResponse` (dist/resultShaping.js), which took about a sixth of the
 * router's CPU on a storefront listing. It differs only in how it runs:
 * - each selection set's fields are read once and remembered (a WeakMap on the
 *   set), not re-derived through method calls for every object in a list;
 * - @skip/@include are evaluated only on selections that carry directives;
 * - no result object or message closure is allocated per value;
 * - federation-internals functions are bound once, not read through its
 *   re-export getters on every call;
 * - response objects are plain `{}` where no response name could clash with
 *   Object.prototype (see Compiled.plain), not null-prototype ones.
 * router/test/result-shaping.test.ts holds it to the original's output.
 */
import {
  assert,
  ERRORS,
  isSubtype,
  isValidLeafValue,
  Variable,
  type CompositeType,
  type FieldSelection,
  type NamedType,
  type Operation,
  type Schema,
  type Selection,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';

type Data = Record<string, unknown>;
/** What is read of an applied @skip/@include (the element's own Directive type is generic over its parent). */
interface AppliedDirective {
  readonly name: string;
  arguments(): Record<string, unknown>;
}
type Variables = Record<string, unknown>;
type LeafType = Parameters<typeof isValidLeafValue>[2];

interface ShapingParameters {
  schema: Schema;
  variables: Variables;
  errors: GraphQLError[];
  introspectionHandling: (selection: FieldSelection) => unknown;
}

const OK = 0;
const NULL_BUBBLE_UP = 1;
type ApplyResult = typeof OK | typeof NULL_BUBBLE_UP;

const TYPENAME = '__typename';
// federation-internals' introspectionFieldNames (not re-exported from its index).
const SCHEMA_INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

/** What a selection needs at every object it is applied to, derived once per selection set. */
type Step =
  | { kind: 'field'; selection: FieldSelection; directives: readonly AppliedDirective[]; responseName: string; type: Type; selectionSet: SelectionSet | undefined }
  | { kind: 'typename'; directives: readonly AppliedDirective[]; responseName: string }
  | { kind: 'introspection'; selection: FieldSelection; directives: readonly AppliedDirective[]; responseName: string }
  | { kind: 'fragment'; directives: readonly AppliedDirective[]; typeCondition: CompositeType | undefined; selectionSet: SelectionSet };

interface Compiled {
  steps: Step[];
  /**
   * Whether objects shaped by this set can be plain `{}`: no response name
   * (fragments included, they write into the same object) is one that
   * Object.prototype has, like `constructor` or `__proto__`. Plain objects
   * serialize about twice as fast as the null-prototype ones the gateway
   * makes, which V8 keeps in dictionary mode.
   */
  plain: boolean;
}

const compiledBySelectionSet = new WeakMap<SelectionSet, Compiled>();

function stepOf(selection: Selection): Step {
  const directives = selection.element.appliedDirectives;
  if (selection.kind === 'FieldSelection') {
    const field = selection.element;
    const responseName = field.responseName();
    if (SCHEMA_INTROSPECTION_FIELDS.has(field.definition.name)) return { kind: 'introspection', selection, directives, responseName };
    if (field.name === TYPENAME) return { kind: 'typename', directives, responseName };
    return { kind: 'field', selection, directives, responseName, type: field.definition.type as Type, selectionSet: selection.selectionSet };
  }
  return { kind: 'fragment', directives, typeCondition: selection.element.typeCondition, selectionSet: selection.selectionSet };
}

function compiled(selectionSet: SelectionSet): Compiled {
  let found = compiledBySelectionSet.get(selectionSet);
  if (!found) {
    const steps = selectionSet.selections().map(stepOf);
    const plain = steps.every((step) => (step.kind === 'fragment' ? compiled(step.selectionSet).plain : !(step.responseName in Object.prototype)));
    found = { steps, plain };
    compiledBySelectionSet.set(selectionSet, found);
  }
  return found;
}

/** A new output object for `selectionSet` (see Compiled.plain). */
function outputObject(selectionSet: SelectionSet): Data {
  return compiled(selectionSet).plain ? {} : (Object.create(null) as Data);
}

function ifValue(directive: AppliedDirective, variables: Variables): unknown {
  const ifArg: unknown = directive.arguments().if;
  if (ifArg instanceof Variable) {
    const value = variables[ifArg.name];
    assert(value !== undefined && typeof value === 'boolean', () => `Unexpected value ${value} for variable ${ifArg} of ${directive}`);
    return value;
  }
  return ifArg;
}

function shouldSkip(directives: readonly AppliedDirective[], parameters: ShapingParameters): boolean {
  if (directives.length === 0) return false;
  const skip = directives.find((directive) => directive.name === 'skip');
  const include = directives.find((directive) => directive.name === 'include');
  return Boolean((skip && ifValue(skip, parameters.variables)) || (include && !ifValue(include, parameters.variables)));
}

function typeConditionApplies(schema: Schema, typeCondition: CompositeType | undefined, typename: string | undefined, parentType: CompositeType): boolean {
  if (!typeCondition) return true;
  if (typename) {
    const type = schema.type(typename);
    return !!type && isSubtype(typeCondition, type);
  }
  return isSubtype(typeCondition, parentType);
}

function isComposite(type: Type | NamedType): type is CompositeType {
  return type.kind === 'ObjectType' || type.kind === 'InterfaceType' || type.kind === 'UnionType';
}

function own(input: Data, key: string): unknown {
  return Object.hasOwn(input, key) ? input[key] : undefined;
}

function pathLastElementDescription(path: (string | number)[], currentType: Type, parentType: CompositeType): string {
  const element = path[path.length - 1];
  assert(element !== undefined, 'Should not have been called on an empty path');
  return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${currentType} at index ${element}`;
}

function applySelectionSet(input: Data, selectionSet: SelectionSet, output: Data, parameters: ShapingParameters, path: (string | number)[], parentType: CompositeType): ApplyResult {
  for (const step of compiled(selectionSet).steps) {
    if (shouldSkip(step.directives, parameters)) continue;
    switch (step.kind) {
      case 'introspection': {
        if (output[step.responseName] === undefined) output[step.responseName] = parameters.introspectionHandling(step.selection);
        break;
      }
      case 'typename': {
        const responseName = step.responseName;
        if (output[responseName] !== undefined) break;
        let inputValue = own(input, responseName) ?? null;
        if (inputValue === null && responseName !== TYPENAME) inputValue = input[TYPENAME] ?? null;
        const type = inputValue !== null && typeof inputValue === 'string' ? (parameters.schema.type(inputValue) ?? parentType) : parentType;
        if (type.kind !== 'ObjectType') return NULL_BUBBLE_UP;
        output[responseName] = type.name;
        break;
      }
      case 'field': {
        const responseName = step.responseName;
        path.push(responseName);
        const updated = updateOutputValue(output[responseName], step.type, own(input, responseName) ?? null, step.selectionSet, path, parameters, parentType);
        const isInvalid = lastInvalid;
        output[responseName] = updated;
        path.pop();
        if (isInvalid) return NULL_BUBBLE_UP;
        break;
      }
      case 'fragment': {
        const typename = input[TYPENAME];
        assert(!typename || typeof typename === 'string', () => `Got unexpected value for __typename: ${typename}`);
        if (typeConditionApplies(parameters.schema, step.typeCondition, typename as string | undefined, parentType)) {
          const result = applySelectionSet(input, step.selectionSet, output, parameters, path, step.typeCondition ?? parentType);
          if (result === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
        }
        break;
      }
    }
  }
  return OK;
}

// updateOutputValue's two flags, set on every return and read by the caller right after the call:
// the original returned { updated, isInvalid, hasErrors } objects, one per value.
let lastInvalid = false;
let lastHasErrors = false;

function done(updated: unknown, isInvalid: boolean, hasErrors: boolean): unknown {
  lastInvalid = isInvalid;
  lastHasErrors = hasErrors;
  return updated;
}

function updateOutputValue(
  outputValue: unknown,
  type: Type,
  inputValue: unknown,
  selectionSet: SelectionSet | undefined,
  path: (string | number)[],
  parameters: ShapingParameters,
  parentType: CompositeType,
): unknown {
  assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
  if (outputValue === null || (outputValue !== undefined && !selectionSet)) return done(outputValue, false, false);

  if (type.kind === 'NonNullType') {
    const updated = updateOutputValue(outputValue, type.ofType, inputValue, selectionSet, path, parameters, parentType);
    if (updated === null) {
      if (!lastHasErrors) {
        parameters.errors.push(
          ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${pathLastElementDescription(path, type.ofType, parentType)}.`, { path: Array.from(path) }),
        );
      }
      return done(updated, true, true);
    }
    return done(updated, false, false);
  }

  if (inputValue === null) return done(null, false, false);

  if (type.kind === 'ListType') {
    assert(Array.isArray(inputValue), () => `Invalid non-list value ${inputValue} returned by subgraph for list type ${type}`);
    assert(outputValue === undefined || Array.isArray(outputValue), () => `Invalid non-list value ${outputValue} returned by subgraph for list type ${type}`);
    const inputList = inputValue as unknown[];
    const outputList = outputValue === undefined ? new Array<unknown>(inputList.length).fill(undefined) : (outputValue as unknown[]);
    assert(inputList.length === outputList.length, () => `[${inputList}].length (${inputList.length}) !== [${outputList}].length (${outputList.length})`);
    let shouldNullify = false;
    let hasErrors = false;
    // Like Array.prototype.map in the original: holes stay holes.
    const updated = new Array<unknown>(outputList.length);
    for (let index = 0; index < outputList.length; index++) {
      if (!(index in outputList)) continue;
      path.push(index);
      updated[index] = updateOutputValue(outputList[index], type.ofType, inputList[index], selectionSet, path, parameters, parentType);
      path.pop();
      shouldNullify ||= lastInvalid;
      hasErrors ||= lastHasErrors;
    }
    return done(shouldNullify ? null : updated, false, hasErrors);
  }

  if (isComposite(type)) {
    assert(selectionSet, () => `Invalid empty selection set for composite type ${type}`);
    assert(typeof inputValue === 'object', () => `Invalid non-object value ${inputValue} returned by subgraph for composite type ${type}`);
    assert(outputValue === undefined || typeof outputValue === 'object', () => `Invalid non-object value ${inputValue} returned by subgraph for composite type ${type}`);
    const inputObject = inputValue as Data;
    const inputTypename = inputObject[TYPENAME];
    assert(inputTypename === undefined || typeof inputTypename === 'string', () => `Invalid non-string value ${inputTypename} for __typename at ${path}`);
    let objectType: CompositeType = type;
    if (inputTypename) {
      const typenameType = parameters.schema.type(inputTypename as string);
      if (!typenameType || !isComposite(typenameType)) {
        parameters.errors.push(
          ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${pathLastElementDescription(path, type, parentType)}.`, { path: Array.from(path) }),
        );
        return done(null, false, true);
      }
      objectType = typenameType;
    }
    const output = outputValue === undefined ? outputObject(selectionSet) : (outputValue as Data);
    const hasErrors = applySelectionSet(inputObject, selectionSet, output, parameters, path, objectType) === NULL_BUBBLE_UP;
    return done(hasErrors ? null : output, false, hasErrors);
  }

  assert(outputValue === undefined, () => `Excepted output to be undefined but got ${type} for type ${type}`);
  const isValidValue = isValidLeafValue(parameters.schema, inputValue, type as LeafType);
  if (!isValidValue) {
    parameters.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${pathLastElementDescription(path, type, parentType)}.`, { path: Array.from(path) }));
  }
  return done(isValidValue ? inputValue : null, false, !isValidValue);
}

export interface ComputeResponseInput {
  operation: Operation;
  variables?: Variables;
  input: Data | null | undefined;
  introspectionHandling: (selection: FieldSelection) => unknown;
}

/** Drop-in for @apollo/gateway's computeResponse (same arguments, same result). */
export function computeResponse({ operation, variables, input, introspectionHandling }: ComputeResponseInput): { data: Data | null | undefined; errors: GraphQLError[] } {
  if (!input) return { data: input, errors: [] };
  const schema = operation.schema();
  const parameters: ShapingParameters = {
    schema,
    variables: { __proto__: null, ...operation.collectDefaultedVariableValues(), ...variables } as Variables,
    errors: [],
    introspectionHandling,
  };
  const data = outputObject(operation.selectionSet);
  const result = applySelectionSet(input, operation.selectionSet, data, parameters, [], schema.schemaDefinition.rootType(operation.rootKind) as CompositeType);
  return { data: result === NULL_BUBBLE_UP ? null : data, errors: parameters.errors };
}
