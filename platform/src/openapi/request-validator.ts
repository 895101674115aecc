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

function describe(error: ErrorObject): FieldError & { param: string } {
  let pointer = error.instancePath;
  let detail = error.message ?? 'is invalid';
  if (error.keyword === 'required') {
    pointer += `/${(error.params as { missingProperty: string }).missingProperty}`;
    detail = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    pointer += `/${(error.params as { additionalProperty: string }).additionalProperty}`;
    detail = 'is not a known field';
  } else if (error.keyword === 'enum') {
    detail = `must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  }
  return { pointer, detail, param: paramOf(pointer) };
}

/** The pointer `/metadata/team` names the parameter `metadata.team`. */
function paramOf(pointer: string): string {
  return pointer.split('/').filter(Boolean).join('.');
}

const rfc3339 = fullFormats['date-time'] as FormatDefinition<string>;

/**
 * RFC 3339 allows what `Date` cannot read: a leap second (`23:59:60`), an offset without minutes (`+01`).
 * Such a value would pass the check and then become an Invalid Date in the handler, so a date-time must
 * also be an instant `Date` can hold.
 */
const dateTime: FormatDefinition<string> = {
  type: 'string',
  validate: (value) =>
    (rfc3339.validate as (value: string) => boolean)(value) && Number.isFinite(Date.parse(value)),
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
 * Every string in `value` holding U+0000, and every member whose name does, each with its pointer from
 * `value`'s root. PostgreSQL can store that character in neither text nor jsonb, so it is refused here, at
 * the value, rather than failing the write. Walked with a stack of its own, in the order the values were
 * sent: a body may nest far deeper than its schema looks.
 */
function nulCharacters(value: unknown): FieldError[] {
  const failures: FieldError[] = [];
  const pending: { node: unknown; at: string; name?: string }[] = [{ node: value, at: '' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, at, name } = next;
    if (name?.includes(nul)) {
      failures.push({ pointer: at, detail: 'must not have the NUL character (U+0000) in its name' });
    }
    if (typeof node === 'string' && node.includes(nul)) {
      failures.push({ pointer: at, detail: 'must not contain the NUL character (U+0000)' });
    } else if (typeof node === 'object' && node !== null) {
      const children = Array.isArray(node)
        ? node.map((item, index) => ({ node: item as unknown, at: `${at}/${index}` }))
        : Object.entries(node).map(([key, item]) => ({
            node: item as unknown,
            at: `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
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
        if (!validatePath(params) || nulCharacters(params).length > 0) {
          throw new ApiError('resource_missing', 'No such object: the id in the path is not a valid id.');
        }
        const query = { ...request.query };
        const failures: FieldError[] = [];
        let param: string | undefined;
        if (!validateQuery(query)) {
          for (const error of validateQuery.errors ?? []) {
            const described = describe(error);
            failures.push({ pointer: `/query${described.pointer}`, detail: described.detail });
            param ??= described.param;
          }
        }
        for (const failure of nulCharacters(request.query)) {
          failures.push({ pointer: `/query${failure.pointer}`, detail: failure.detail });
          param ??= paramOf(failure.pointer);
        }
        if (validateBody && request.body !== undefined && !validateBody(request.body)) {
          for (const error of validateBody.errors ?? []) {
            const described = describe(error);
            failures.push({ pointer: `/body${described.pointer}`, detail: described.detail });
            param ??= described.param || undefined;
          }
        }
        for (const failure of nulCharacters(request.body)) {
          failures.push({ pointer: `/body${failure.pointer}`, detail: failure.detail });
          param ??= paramOf(failure.pointer) || undefined;
        }
        if (failures.length > 0) {
          const first = failures[0]!;
          const where = first.pointer.replace(/^\/(body|query)\/?/, '').replaceAll('/', '.') || 'the body';
          const more =
            failures.length > 1
              ? ` (and ${failures.length - 1} more problem${failures.length > 2 ? 's' : ''})`
              : '';
          throw new ApiError('invalid_request', `${where} ${first.detail}${more}.`, {
            errors: failures,
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
