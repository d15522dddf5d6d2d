/* descriptor_variants.c — deliberately broken plugins for the loader tests, in plain C.
 * Compiled several times with different VARIANT_* definitions. */
#include <journeykit/plugin_abi.h>

#include <stddef.h>

#ifndef VARIANT_NAME
#define VARIANT_NAME "variant"
#endif
#ifndef VARIANT_MAJOR
#define VARIANT_MAJOR JK_ABI_MAJOR
#endif
#ifndef VARIANT_MINOR
#define VARIANT_MINOR JK_ABI_MINOR
#endif
#ifndef VARIANT_KIND
#define VARIANT_KIND JK_KIND_CONNECTOR
#endif

#ifndef VARIANT_NO_ENTRY
static void* create(const jk_host_api* host, jk_str config) {
  (void)config;
  return (void*)host;
}
static void destroy(void* self) { (void)self; }
static int32_t check(void* self) {
  (void)self;
  return JK_OK;
}
static int32_t write_records(void* self, const jk_record* r, size_t n) {
  (void)self;
  (void)r;
  (void)n;
  return JK_OK;
}
static int32_t flush(void* self) {
  (void)self;
  return JK_OK;
}

#endif

#ifdef VARIANT_NO_ENTRY
__attribute__((visibility("default"))) int not_the_entry_point(void) { return 42; }
#else
static const jk_plugin_descriptor kDescriptor = {sizeof(jk_plugin_descriptor),
                                                 VARIANT_MAJOR,
                                                 VARIANT_MINOR,
                                                 VARIANT_KIND,
                                                 VARIANT_NAME,
                                                 "0.0.1",
                                                 "loader test plugin",
                                                 NULL,
                                                 0,
                                                 create,
                                                 destroy,
                                                 check,
                                                 NULL,
                                                 NULL,
                                                 write_records,
                                                 flush};

__attribute__((visibility("default"))) const jk_plugin_descriptor* journeykit_plugin_v1(void) {
  return &kDescriptor;
}
#endif
