// version.cpp — the SDK's version and ABI level, for `journeykit --version` and embedders.
#include <journeykit/version.hpp>

#include <journeykit/plugin_abi.h>

namespace journeykit {

const char* Version() { return JOURNEYKIT_VERSION_STRING; }
unsigned AbiMajor() { return JK_ABI_MAJOR; }
unsigned AbiMinor() { return JK_ABI_MINOR; }

}  // namespace journeykit
