#include "runtime/log.h"

#include <sys/time.h>

#include <cstdio>
#include <ctime>
#include <mutex>

namespace halink::runtime {
namespace {
std::mutex log_mutex;  // the BFD thread logs too
std::string identity = "halinkd";
LogLevel minimum_level = LogLevel::info;
const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "?";
}
}  // namespace

void set_log_identity(const std::string& node_name) { identity = "halinkd[" + node_name + "]"; }
void set_log_level(LogLevel minimum) { minimum_level = minimum; }

void log_line(LogLevel level, const std::string& text) {
  if (level < minimum_level) return;
  timeval tv{};
  gettimeofday(&tv, nullptr);
  tm utc{};
  gmtime_r(&tv.tv_sec, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  std::lock_guard lock(log_mutex);
  std::fprintf(stderr, "%s.%03ldZ %s %s: %s\n", stamp, long(tv.tv_usec / 1000), identity.c_str(), level_name(level),
               text.c_str());
  std::fflush(stderr);
}

}  // namespace halink::runtime
