import { Ajv2020, type ErrorObject, type FormatDefinition, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { ApiError, type FieldError } from '../http/api-error.ts';
import { deref, type OpenApiDocument, type SpecParameter, type SpecRoute } from './spec.ts';

export interface ValidatedRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface RequestValidator {
  /** Throws `invalid_request` listing every failure, or `resource_missing` for a malformed path id. */
  validate(request: {
    params: Record<string, string>;
    query: Record<string, unknown>;
    body: unknown;
  }): ValidatedRequest;
  /** The JSON body schema's media type, or null when the operation takes no JSON body. */
  bodyMediaType: string | null;
  bodyRequired: boolean;
}

/** One failed check, and the sentence that leads the problem's `detail` when it is the first. */
type Failure = FieldError & { sentence?: string };

function describe(error: ErrorObject): Failure {
  let pointer = error.instancePath;
  let detail = error.message ?? 'is invalid';
  let sentence: string | undefined;
  if (error.propertyName !== undefined) {
    // A member name failed `propertyNames`: point at the member, and name it, since its value is not at fault.
    const name = error.propertyName;
    pointer += `/${escapePointer(name)}`;
    detail = `key ${JSON.stringify(name)} ${detail}`;
    sentence = `${paramOf(error.instancePath) || 'the body'} ${detail}`;
  } else if (error.keyword === 'required') {
    pointer += `/${escapePointer((error.params as { missingProperty: string }).missingProperty)}`;
    detail = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    pointer += `/${escapePointer((error.params as { additionalProperty: string }).additionalProperty)}`;
    detail = 'is not a known field';
  } else if (error.keyword === 'enum') {
    detail = `must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  }
  return { pointer, detail, ...(sentence ? { sentence } : {}) };
}

/**
 * The errors worth reporting. A member name that fails `propertyNames` gets two from ajv: the failed check,
 * which names the member, and a generic "property name must be valid" that adds nothing to it.
 */
function reported(errors: ErrorObject[] | null | undefined): ErrorObject[] {
  return (errors ?? []).filter((error) => error.keyword !== 'propertyNames');
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The pointer `/metadata/team` names the parameter `metadata.team`. */
function paramOf(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}

const rfc3339 = fullFormats['date-time'] as FormatDefinition<string>;

/** PostgreSQL reads no year 0000 (it writes 1 BC as `0001 BC`, which RFC 3339 cannot say). */
const earliestInstant = Date.parse('0001-01-01T00:00:00Z');

/**
 * RFC 3339 allows what `Date` cannot read: a leap second (`23:59:60`), an offset without minutes (`+01`).
 * Such a value would pass the check and then become an Invalid Date in the handler, so a date-time must
 * also be an instant `Date` can hold, and one the database can: from the first instant of year 1 in UTC.
 */
const dateTime: FormatDefinition<string> = {
  type: 'string',
  validate: (value) =>
    (rfc3339.validate as (value: string) => boolean)(value) && Date.parse(value) >= earliestInstant,
  compare: rfc3339.compare,
};

function createAjv(coerceTypes: boolean): Ajv2020 {
  // strict: false because an OpenAPI document is more than JSON Schema (examples, discriminators, x- keys).
  const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes });
  addFormats.default(ajv);
  ajv.addFormat('date-time', dateTime);
  ajv.addFormat('binary', true);
  return ajv;
}

const nul = '\u0000';
/**
 * A UTF-16 surrogate standing alone, without its pair: in a `u` regex a well-formed pair is one code point
 * above U+FFFF, so only a lone half matches. The same test as `!text.isWellFormed()`, which is ES2024 and
 * not in the ES2023 library the project compiles against.
 */
const loneSurrogate = /\p{Surrogate}/u;

const surrogates = 'a lone UTF-16 surrogate (U+D800 to U+DFFF)';

/** Why `text` cannot be stored, as a value and as a member name, or null when it can. */
function unstorable(text: string): { value: string; name: string } | null {
  if (text.includes(nul)) {
    return {
      value: 'must not contain the NUL character (U+0000)',
      name: 'must not have the NUL character (U+0000) in its name',
    };
  }
  if (loneSurrogate.test(text)) {
    return {
      value: `must be well-formed Unicode, without ${surrogates}`,
      name: `must have a well-formed Unicode name, without ${surrogates}`,
    };
  }
  return null;
}

/**
 * Every string in `value` that cannot be stored, and every member whose name cannot, each with its pointer
 * from `value`'s root. PostgreSQL can store the NUL character in neither text nor jsonb; a lone surrogate
 * (JSON may escape one, `"\ud800"`) fails json and becomes U+FFFD in text, so what was answered would not
 * be what was kept. Both are refused here, at the value, rather than failing or changing the write. Walked
 * with a stack of its own, in the order the values were sent: a body may nest far deeper than its schema
 * looks.
 */
function unstorableStrings(value: unknown): FieldError[] {
  const failures: FieldError[] = [];
  const pending: { node: unknown; at: string; name?: string }[] = [{ node: value, at: '' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, at, name } = next;
    const inName = name === undefined ? null : unstorable(name);
    if (inName) failures.push({ pointer: at, detail: inName.name });
    const inText = typeof node === 'string' ? unstorable(node) : null;
    if (inText) {
      failures.push({ pointer: at, detail: inText.value });
    } else if (typeof node === 'object' && node !== null) {
      const children = Array.isArray(node)
        ? node.map((item, index) => ({ node: item as unknown, at: `${at}/${index}` }))
        : Object.entries(node).map(([key, item]) => ({
            node: item as unknown,
            at: `${at}/${escapePointer(key)}`,
            name: key,
          }));
      for (let index = children.length - 1; index >= 0; index--) pending.push(children[index]!);
    }
  }
  return failures;
}

/**
 * Request validation compiled from openapi.yaml itself: bodies with the document's own schemas (so `$ref`s
 * resolve against it), query strings coerced from text, path ids checked so a malformed one is simply
 * "no such object". Unknown query parameters are refused, as unknown body fields are.
 */
export function createValidatorFactory(spec: OpenApiDocument): (route: SpecRoute) => RequestValidator {
  const bodies = createAjv(false);
  const queries = createAjv(true);
  bodies.addSchema(spec as object, 'spec');
  queries.addSchema(spec as object, 'spec');

  return (route) => {
    const parameters = (route.operation.parameters ?? []).map((p) => deref<SpecParameter>(spec, p));
    const objectOf = (where: 'path' | 'query', ajv: Ajv2020): ValidateFunction => {
      const own = parameters.filter((p) => p.in === where);
      return ajv.compile({
        type: 'object',
        properties: Object.fromEntries(own.map((p) => [p.name, withSpecRefs(p.schema ?? {})])),
        required: own.filter((p) => p.required).map((p) => p.name),
        additionalProperties: where === 'path',
      });
    };
    const validatePath = objectOf('path', queries);
    const validateQuery = objectOf('query', queries);

    const requestBody = route.operation.requestBody
      ? deref<{ required?: boolean; content: Record<string, { schema?: object }> }>(
          spec,
          route.operation.requestBody,
        )
      : null;
    const jsonEntry = requestBody
      ? Object.entries(requestBody.content).find(([type]) => type === 'application/json')
      : undefined;
    const validateBody = jsonEntry?.[1].schema ? bodies.compile(withSpecRefs(jsonEntry[1].schema)) : null;

    return {
      bodyMediaType: jsonEntry ? jsonEntry[0] : null,
      bodyRequired: requestBody?.required === true,
      validate(request) {
        const params = { ...request.params };
        if (!validatePath(params) || unstorableStrings(params).length > 0) {
          throw new ApiError('resource_missing', 'No such object: the id in the path is not a valid id.');
        }
        const query = { ...request.query };
        const failures: Failure[] = [];
        let param: string | undefined;
        const fail = (root: '/body' | '/query', { pointer, detail, sentence }: Failure) => {
          failures.push({ pointer: `${root}${pointer}`, detail, ...(sentence ? { sentence } : {}) });
          param ??= paramOf(pointer) || undefined;
        };
        if (!validateQuery(query)) {
          for (const error of reported(validateQuery.errors)) fail('/query', describe(error));
        }
        for (const failure of unstorableStrings(request.query)) fail('/query', failure);
        if (validateBody && request.body !== undefined && !validateBody(request.body)) {
          for (const error of reported(validateBody.errors)) fail('/body', describe(error));
        }
        for (const failure of unstorableStrings(request.body)) fail('/body', failure);
        if (failures.length > 0) {
          const first = failures[0]!;
          const where = paramOf(first.pointer.replace(/^\/(body|query)/, '')) || 'the body';
          const more =
            failures.length > 1
              ? ` (and ${failures.length - 1} more problem${failures.length > 2 ? 's' : ''})`
              : '';
          throw new ApiError('invalid_request', `${first.sentence ?? `${where} ${first.detail}`}${more}.`, {
            errors: failures.map(({ pointer, detail }) => ({ pointer, detail })),
            ...(param ? { param } : {}),
          });
        }
        return { params, query, body: request.body };
      },
    };
  };
}

/** Rewrites `#/components/...` references so they resolve inside the document registered as `spec`. */
function withSpecRefs(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"spec#/'));
}
