// version.hpp — the SDK's version and the plugin ABI level it hosts.
#pragma once

#define JOURNEYKIT_VERSION_STRING "0.1.0"

namespace journeykit {

const char* Version();
unsigned AbiMajor();
unsigned AbiMinor();

}  // namespace journeykit
