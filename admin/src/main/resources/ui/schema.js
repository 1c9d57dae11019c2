// Building a request body from a handler's input JSON Schema.

/** Follows a local "$ref" ("#/$defs/X", "#/definitions/X") within root. */
function resolve(schema, root, seen = new Set()) {
  if (!schema || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#') && !seen.has(schema.$ref)) {
    seen.add(schema.$ref);
    const parts = schema.$ref.slice(1).split('/').filter(Boolean)
        .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
    let target = root;
    for (const p of parts) target = target && typeof target === 'object' ? target[p] : undefined;
    return target ? resolve(target, root, seen) : {};
  }
  return schema;
}

function typeOf(schema) {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') || 'null';
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

/** An example value for a schema: its const, default, first example or enum value, or a typed placeholder. */
export function exampleFor(schema, root = schema, depth = 0) {
  schema = resolve(schema, root);
  if (!schema || typeof schema !== 'object' || depth > 6) return null;
  if ('const' in schema) return schema.const;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const variants = schema.oneOf || schema.anyOf;
  if (Array.isArray(variants) && variants.length) {
    const nonNull = variants.find((v) => resolve(v, root)?.type !== 'null') || variants[0];
    return exampleFor(nonNull, root, depth + 1);
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length) {
    const merged = {};
    for (const part of schema.allOf) {
      const value = exampleFor(part, root, depth + 1);
      if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(merged, value);
    }
    return merged;
  }
  switch (typeOf(schema)) {
    case 'object': {
      const out = {};
      for (const [name, prop] of Object.entries(schema.properties || {})) out[name] = exampleFor(prop, root, depth + 1);
      return out;
    }
    case 'array': {
      const item = schema.items ? exampleFor(schema.items, root, depth + 1) : null;
      return item === null || item === undefined ? [] : [item];
    }
    case 'string':
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'date') return new Date().toISOString().slice(0, 10);
      if (schema.format === 'email') return 'someone@example.com';
      if (schema.format === 'uri') return 'https://example.com';
      if (schema.format === 'uuid') return crypto.randomUUID ? crypto.randomUUID() : '00000000-0000-0000-0000-000000000000';
      return '';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** The body text to start from: the schema's example, pretty-printed; "{}" without a schema. */
export function initialBody(schema) {
  if (!schema || typeof schema !== 'object' || Object.keys(schema).length === 0) return '{}';
  const value = exampleFor(schema);
  return JSON.stringify(value === undefined ? {} : value, null, 2);
}

/**
 * The fields of a flat object schema (every property a string, number, integer, boolean or enum), for a form;
 * null when the schema is not such an object.
 */
export function formFields(schema) {
  if (!schema || typeof schema !== 'object') return null;
  const root = schema;
  schema = resolve(schema, root);
  if (typeOf(schema) !== 'object' || !schema.properties) return null;
  const props = Object.entries(schema.properties);
  if (props.length === 0 || props.length > 30) return null;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const fields = [];
  for (const [name, raw] of props) {
    const prop = resolve(raw, root) || {};
    let kind = typeOf(prop);
    if (Array.isArray(prop.enum) && prop.enum.every((v) => typeof v === 'string' || typeof v === 'number')) kind = 'enum';
    if (!['string', 'integer', 'number', 'boolean', 'enum'].includes(kind)) return null;
    fields.push({
      name, kind, required: required.has(name), description: prop.description || prop.title || '',
      enumValues: prop.enum, minimum: prop.minimum, maximum: prop.maximum, format: prop.format,
    });
  }
  return fields;
}

/** A short type text for a schema ("Person", "object", "string[]"). */
export function schemaSummary(schema) {
  if (!schema || typeof schema !== 'object') return '';
  if (schema.title) return schema.title;
  const t = typeOf(schema);
  if (t === 'array' && schema.items) return `${schemaSummary(schema.items) || 'any'}[]`;
  return t || '';
}
