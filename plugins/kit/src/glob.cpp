// glob.cpp — POSIX glob(3) with sorted, deterministic output.
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <journeykit/kit/glob.hpp>

namespace journeykit::kit {
namespace {

bool IsRegularFile(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

Result<std::vector<std::string>> ExpandGlob(const std::string& pattern) {
  std::vector<std::string> files;
  if (pattern.empty()) return files;
  glob_t matches{};
  // GLOB_NOSORT: sorted below by byte order, independent of the locale.
  int rc = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &matches);
  if (rc == GLOB_NOMATCH) {
    ::globfree(&matches);
    return files;
  }
  if (rc != 0) {
    ::globfree(&matches);
    return IoError("cannot expand the file pattern " + pattern +
                   (rc == GLOB_NOSPACE ? ": out of memory" : ": a directory cannot be read"));
  }
  for (size_t i = 0; i < matches.gl_pathc; ++i) {
    if (IsRegularFile(matches.gl_pathv[i])) files.emplace_back(matches.gl_pathv[i]);
  }
  ::globfree(&matches);
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

Status CheckGlob(const std::string& pattern) {
  Result<std::vector<std::string>> files = ExpandGlob(pattern);
  if (!files.ok()) return files.status();
  if (files->empty()) {
    return NotFound("no file matches " + pattern +
                    " (relative paths are resolved against the pipeline file's directory)");
  }
  for (const std::string& file : *files) {
    if (::access(file.c_str(), R_OK) != 0) {
      return IoError("cannot read " + file + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

}  // namespace journeykit::kit
