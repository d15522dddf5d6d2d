/* plugin_abi.h — the C ABI between the JourneyKit host and plugin shared libraries.
 *
 * Only the types in this header cross a .so boundary. Rules that keep it stable:
 *  - Every struct begins with `struct_size`; structs only ever grow at the end. A reader
 *    checks struct_size before touching a field added after version 1.0.
 *  - ABI major changes break compatibility (the host refuses the plugin); a minor bump
 *    only appends fields or functions. A plugin built against a newer minor than the host
 *    is refused, because it may call functions the host does not have.
 *  - Strings are (pointer, length) views, not NUL-terminated unless noted. A view handed to
 *    a callee is valid only for the duration of that call; copy what you keep.
 *  - No exceptions, no C++ types, no allocation ownership crosses the boundary: whoever
 *    allocates frees.
 */
#ifndef JOURNEYKIT_PLUGIN_ABI_H
#define JOURNEYKIT_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JK_ABI_MAJOR 1u
#define JK_ABI_MINOR 1u

/* The one symbol a plugin exports: `const jk_plugin_descriptor* journeykit_plugin_v1(void)`. */
#define JK_PLUGIN_ENTRY_NAME "journeykit_plugin_v1"

typedef struct jk_str {
  const char* data;
  size_t size;
} jk_str;

typedef struct jk_pair {
  jk_str key;
  jk_str value;
} jk_pair;

typedef enum jk_status {
  JK_OK = 0,
  JK_ERROR = 1,     /* the plugin called set_error with a message first */
  JK_CANCELLED = 2, /* the host asked to stop (is_cancelled); state already checkpointed is kept */
} jk_status;

typedef enum jk_plugin_kind {
  JK_KIND_SOURCE = 1,
  JK_KIND_CONNECTOR = 2,
} jk_plugin_kind;

typedef enum jk_log_level {
  JK_LOG_DEBUG = 0,
  JK_LOG_INFO = 1,
  JK_LOG_WARN = 2,
  JK_LOG_ERROR = 3,
} jk_log_level;

typedef enum jk_config_type {
  JK_CONFIG_STRING = 1,
  JK_CONFIG_INT = 2,
  JK_CONFIG_NUMBER = 3,
  JK_CONFIG_BOOL = 4,
  JK_CONFIG_STRING_LIST = 5,
  JK_CONFIG_OBJECT = 6, /* free-form JSON object, validated by the plugin itself */
} jk_config_type;

/* One entry of a plugin's declared configuration. Strings are NUL-terminated and static. */
typedef struct jk_config_field {
  const char* key;
  uint32_t type;            /* jk_config_type */
  uint32_t required;        /* 1: the pipeline must give it */
  uint32_t secret;          /* 1: never printed or logged; should come from ${env:NAME} */
  const char* default_json; /* JSON text of the default, or NULL for none */
  const char* description;
} jk_config_field;

/* Flags of jk_event.flags: which optional numbers are present. */
#define JK_EVENT_HAS_VALUE 1u
#define JK_EVENT_HAS_RATING 2u
#define JK_EVENT_HAS_SENTIMENT 4u

/* One interaction of one person with one touchpoint, as a source plugin emits it.
 * identities: (kind, value), e.g. ("user_id","crm-1"), ("email","Jana@Example.org") — the
 *   host normalizes and hashes e-mail addresses; plugins pass them as they come.
 * hints: touchpoint hints, e.g. url, referrer, utm_source, utm_medium, utm_campaign, channel.
 * properties: small free-form map kept with the event. */
typedef struct jk_event {
  size_t struct_size;
  int64_t time_us; /* UTC microseconds since the Unix epoch */
  jk_str event_id; /* stable id within the source instance: the dedup key */
  jk_str action;   /* page_view, purchase, webinar_attended, review, ... */
  const jk_pair* identities;
  size_t identity_count;
  const jk_pair* hints;
  size_t hint_count;
  const jk_pair* properties;
  size_t property_count;
  jk_str text;
  jk_str currency;
  double value;
  double rating;
  double sentiment; /* -1 .. +1 */
  uint32_t flags;   /* JK_EVENT_HAS_* */
} jk_event;

/* What a connector receives: one JSON object per record. */
typedef struct jk_record {
  size_t struct_size;
  jk_str type; /* "event", "journey", "stage_table" */
  jk_str key;  /* stable key of the record (idempotency / partitioning) */
  jk_str json; /* the record, one JSON object */
} jk_record;

/* ---- HTTP (ABI 1.1) -------------------------------------------------------------------
 * The host runs every HTTP request of every plugin: TLS verification, timeouts, retries with
 * backoff, shared rate budgets, secret redaction, record and replay (docs/http.md). */

/* One request. Strings are views valid for the duration of http_send. */
typedef struct jk_http_request {
  size_t struct_size;
  jk_str method; /* "GET", "POST", ... */
  jk_str url;    /* absolute http(s) URL, query already encoded */
  const jk_pair* headers;
  size_t header_count;
  jk_str body;
  /* Rate budget shared by every request (of any instance) naming the same key, e.g.
   * "mailchimp:us6:<account id>". Empty: no budget. The first request to name a key sets
   * its limits; 0 means unlimited. */
  jk_str budget_key;
  uint32_t budget_requests;       /* at most this many requests started ... */
  uint32_t budget_interval_ms;    /* ... per this interval (e.g. 10 per 1000 ms) */
  uint32_t budget_max_concurrent; /* connections in flight at once (Mailchimp: 10) */
  uint32_t max_attempts;          /* 0: the pipeline's default (4) */
  uint32_t time_budget_ms;        /* all attempts and waits together; 0: default (120 s) */
} jk_http_request;

/* The final answer to one request, after retries. */
typedef struct jk_http_response {
  size_t struct_size;
  int32_t status;         /* HTTP status; 0 when no response arrived (network error, timeout) */
  const jk_pair* headers; /* names lower-cased, in arrival order */
  size_t header_count;
  jk_str body; /* decompressed */
  /* Empty on a 1xx-3xx status. Otherwise what went wrong, ready for a message: method,
   * redacted URL, status or network error, attempts, and a short body excerpt. */
  jk_str error;
  uint32_t attempts;
} jk_http_response;

/* Called once per request, on the thread that called http_send, as each completes.
 * `index` is the request's position in the array. The response is valid during the call. */
typedef void (*jk_http_sink)(void* sink_ctx, size_t index, const jk_http_response* response);

/* Services the host offers a plugin instance. The host owns this struct and keeps it
 * alive, unchanged, until destroy() of the instance it was given to has returned.
 * Every call takes `ctx` first. Calls may be made from the thread that called the plugin. */
typedef struct jk_host_api {
  size_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  void* ctx;

  void (*log)(void* ctx, int32_t level, jk_str message);
  /* Records the message of the failure the next JK_ERROR return reports. */
  void (*set_error)(void* ctx, jk_str message);
  /* Non-zero when the run is being stopped (SIGINT/SIGTERM or embedder request). */
  int32_t (*is_cancelled)(void* ctx);

  /* Sources: hand events to the host. They are stored together with the next checkpoint
   * of the same stream (or at the end of read()). Returns JK_OK or JK_ERROR. */
  int32_t (*emit_events)(void* ctx, jk_str stream, const jk_event* events, size_t count);
  /* Sources: commit the stream's cursor. The host stores every event emitted so far on
   * that stream and the state in one transaction; read() gets the state back next run. */
  int32_t (*checkpoint)(void* ctx, jk_str stream, jk_str state);
  /* Sources: report one record that cannot be turned into an event. `location` names the
   * file and line (or page), `reason` says what is wrong. Returns JK_OK when the pipeline's
   * policy is to dead-letter and go on, JK_ERROR when the run must fail (set_error done). */
  int32_t (*bad_record)(void* ctx, jk_str location, jk_str reason, jk_str raw);
  /* Progress of long reads: cumulative bytes and records of this instance. */
  void (*progress)(void* ctx, uint64_t bytes, uint64_t records);
  /* Directory of the pipeline file: resolve relative paths in the config against it. */
  jk_str base_dir;
  /* Name of this instance in the pipeline (for messages). */
  jk_str instance_name;
  /* ---- ABI 1.1: check struct_size before use ---- */
  /* Runs `count` requests concurrently (within their budgets) and returns when every one
   * has been answered through `sink`. JK_OK: every request got a final response (which may
   * be an error status: look at response->status / error). JK_CANCELLED: the run is being
   * stopped; requests still in flight were abandoned and got no sink call. */
  int32_t (*http_send)(void* ctx, const jk_http_request* requests, size_t count, jk_http_sink sink,
                       void* sink_ctx);
  /* Adds a value (e.g. an OAuth access token obtained at run time) to the set redacted from
   * every log line, error message and recorded cassette. Config fields marked secret are
   * registered by the host already. */
  void (*add_secret)(void* ctx, jk_str value);
} jk_host_api;

typedef void (*jk_stream_sink)(void* sink_ctx, jk_str stream_name);

/* What a plugin exports. Static storage in the plugin; valid while the library is loaded. */
typedef struct jk_plugin_descriptor {
  size_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t kind; /* jk_plugin_kind */
  const char* name;
  const char* version;
  const char* description;
  const jk_config_field* config_fields;
  size_t config_field_count;

  /* Creates an instance from its validated config (JSON object, defaults filled in).
   * Returns NULL after host->set_error on failure. `host` outlives the instance. */
  void* (*create)(const jk_host_api* host, jk_str config_json);
  void (*destroy)(void* instance);
  /* Checks that the instance can work (files readable, credentials accepted, ...). */
  int32_t (*check)(void* instance);

  /* Sources (NULL for connectors). */
  int32_t (*list_streams)(void* instance, jk_stream_sink sink, void* sink_ctx);
  /* Reads one stream from `state` (empty on a first run or a full refresh). */
  int32_t (*read)(void* instance, jk_str stream, jk_str state);

  /* Connectors (NULL for sources). write() must be idempotent for the same record keys. */
  int32_t (*write)(void* instance, const jk_record* records, size_t count);
  int32_t (*flush)(void* instance);
} jk_plugin_descriptor;

typedef const jk_plugin_descriptor* (*jk_plugin_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* JOURNEYKIT_PLUGIN_ABI_H */
