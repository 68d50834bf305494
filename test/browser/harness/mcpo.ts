/**
 * What the mcpo-like tool server describes in its `/openapi.json` and how it judges a request body,
 * as mcpo (FastAPI) does: mcp-server-time's two tools, each a POST whose JSON body has required
 * fields, and one operation whose body has none.
 */

/** An OpenAPI document, as far as the tests build one. */
export type OpenApiSpec = Record<string, unknown>;

/** The operations of a tool prefix whose request body has required fields, and those fields. */
export const REQUIRED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "/get_current_time": ["timezone"],
  "/convert_time": ["source_timezone", "time", "target_timezone"],
};

/** An operation whose body has no required field: running it with `{}` would run the tool. */
export const OPERATION_WITHOUT_REQUIRED_FIELDS = "/list_timezones";

/** FastAPI's title of a field: "source_timezone" -> "Source Timezone". */
function titleOf(field: string): string {
  return field
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

function formModel(name: string, properties: Record<string, { type: string; description: string }>, required: readonly string[]) {
  return {
    properties: Object.fromEntries(Object.entries(properties).map(([field, schema]) => [field, { ...schema, title: titleOf(field) }])),
    type: "object",
    ...(required.length > 0 ? { required: [...required] } : {}),
    title: `${name}_form_model`,
  };
}

function postOperation(name: string, summary: string) {
  return {
    post: {
      summary,
      description: summary,
      operationId: `tool_${name}_post`,
      requestBody: { content: { "application/json": { schema: { $ref: `#/components/schemas/${name}_form_model` } } }, required: true },
      responses: {
        "200": { description: "Successful Response", content: { "application/json": { schema: {} } } },
        "422": {
          description: "Validation Error",
          content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPValidationError" } } },
        },
      },
      security: [{ HTTPBearer: [] }],
    },
  };
}

const VALIDATION_SCHEMAS = {
  HTTPValidationError: {
    properties: { detail: { items: { $ref: "#/components/schemas/ValidationError" }, type: "array", title: "Detail" } },
    type: "object",
    title: "HTTPValidationError",
  },
  ValidationError: {
    properties: {
      loc: { items: { anyOf: [{ type: "string" }, { type: "integer" }] }, type: "array", title: "Location" },
      msg: { type: "string", title: "Message" },
      type: { type: "string", title: "Error Type" },
    },
    type: "object",
    required: ["loc", "msg", "type"],
    title: "ValidationError",
  },
};

/**
 * mcpo's spec of mcp-server-time under `prefix` ("" for the root): `POST /get_current_time`
 * (required `timezone`), `POST /convert_time` (three required fields) and `POST /list_timezones`
 * (no required field). Paths are relative to the tool-server URL, as Open WebUI calls them; a
 * prefixed tool (mcpo --config) names its mount in `servers`, as FastAPI does for a mounted app.
 */
export function timeToolSpec(prefix: string, title = `tools at ${prefix || "/"}`): OpenApiSpec {
  return {
    openapi: "3.1.0",
    info: { title, description: "mcp-time MCP Server (imitation)", version: "1.0" },
    ...(prefix === "" ? {} : { servers: [{ url: prefix }] }),
    paths: {
      "/get_current_time": postOperation("get_current_time", "Get current time in a specific timezones"),
      "/convert_time": postOperation("convert_time", "Convert time between timezones"),
      [OPERATION_WITHOUT_REQUIRED_FIELDS]: postOperation("list_timezones", "List the timezones the server knows"),
    },
    components: {
      schemas: {
        get_current_time_form_model: formModel(
          "get_current_time",
          { timezone: { type: "string", description: "IANA timezone name (e.g. 'America/New_York')." } },
          REQUIRED_FIELDS["/get_current_time"] ?? [],
        ),
        convert_time_form_model: formModel(
          "convert_time",
          {
            source_timezone: { type: "string", description: "Source IANA timezone name." },
            time: { type: "string", description: "Time to convert in 24-hour format (HH:MM)." },
            target_timezone: { type: "string", description: "Target IANA timezone name." },
          },
          REQUIRED_FIELDS["/convert_time"] ?? [],
        ),
        list_timezones_form_model: formModel("list_timezones", { region: { type: "string", description: "Only this region." } }, []),
        ...VALIDATION_SCHEMAS,
      },
      securitySchemes: { HTTPBearer: { type: "http", scheme: "bearer" } },
    },
  };
}

/** A spec whose only operation has no required field: a key cannot be checked without running a tool. */
export function specWithoutRequiredFields(prefix: string): OpenApiSpec {
  const spec = timeToolSpec(prefix);
  const paths = spec.paths as Record<string, unknown>;
  return { ...spec, paths: { [OPERATION_WITHOUT_REQUIRED_FIELDS]: paths[OPERATION_WITHOUT_REQUIRED_FIELDS] } };
}

/**
 * FastAPI's 422 for the body of the operation at `rest`, or undefined when the body passes. An empty
 * body passes here (FastAPI would refuse it): the imitation page's tool calls without arguments, which
 * the scenarios make to paths like /get_current_time, stay 200 with the right key. `{}`, as ToolKey's
 * Test sends it, is judged as FastAPI judges it.
 */
export function validationError(rest: string, body: Buffer): { detail: unknown[] } | undefined {
  const required = REQUIRED_FIELDS[rest];
  if (required === undefined || body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return { detail: [{ type: "json_invalid", loc: ["body", 0], msg: "JSON decode error", input: {}, ctx: { error: "Expecting value" } }] };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return {
      detail: [
        {
          type: "model_attributes_type",
          loc: ["body"],
          msg: "Input should be a valid dictionary or object to extract fields from",
          input: parsed,
        },
      ],
    };
  }
  const missing = required.filter((field) => !(field in parsed));
  if (missing.length === 0) return undefined;
  return { detail: missing.map((field) => ({ type: "missing", loc: ["body", field], msg: "Field required", input: parsed })) };
}
