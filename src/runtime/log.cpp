#include "runtime/log.h"

#include <sys/time.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "runtime/clock.h"

namespace halink::runtime {
namespace {
std::mutex log_mutex;  // the BFD thread logs too
std::string identity = "halinkd";
LogLevel minimum_level = LogLevel::info;
const bool to_journal = std::getenv("JOURNAL_STREAM") != nullptr;
const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "?";
}
// syslog(3) priorities, as sd-daemon(3) prefixes read by journald.
int syslog_priority(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return 7;
    case LogLevel::info: return 6;
    case LogLevel::warning: return 4;
    case LogLevel::error: return 3;
  }
  return 6;
}
}  // namespace

std::optional<LogLevel> parse_log_level(const std::string& text) {
  if (text == "debug") return LogLevel::debug;
  if (text == "info") return LogLevel::info;
  if (text == "warn" || text == "warning") return LogLevel::warning;
  if (text == "error") return LogLevel::error;
  return std::nullopt;
}

void set_log_identity(const std::string& node_name) { identity = "halinkd[" + node_name + "]"; }
void set_log_level(LogLevel minimum) { minimum_level = minimum; }

void log_line(LogLevel level, const std::string& text) {
  if (level < minimum_level) return;
  std::lock_guard lock(log_mutex);
  if (to_journal) {
    std::fprintf(stderr, "<%d>%s %s: %s\n", syslog_priority(level), identity.c_str(), level_name(level),
                 text.c_str());
  } else {
    timeval tv{};
    gettimeofday(&tv, nullptr);
    tm utc{};
    gmtime_r(&tv.tv_sec, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::fprintf(stderr, "%s.%03ldZ %s %s: %s\n", stamp, long(tv.tv_usec / 1000), identity.c_str(),
                 level_name(level), text.c_str());
  }
  std::fflush(stderr);
}

LogRateLimiter::Decision LogRateLimiter::admit(const std::string& key, Time now) {
  // Forget keys whose window ended long ago, so varied texts cannot grow the map without bound.
  if (entries_.size() > 4096)
    std::erase_if(entries_, [&](const auto& e) { return now - e.second.window_start >= window_ + window_; });
  auto [it, inserted] = entries_.try_emplace(key, Entry{now, 0, 0});
  Entry& e = it->second;
  Decision d;
  if (now - e.window_start >= window_) {
    d.suppressed_before = e.suppressed;
    e = Entry{now, 0, 0};
  }
  if (e.logged < burst_) {
    ++e.logged;
    d.log = true;
  } else {
    ++e.suppressed;
  }
  return d;
}

void log_limited(LogLevel level, const std::string& key, const std::string& text) {
  static std::mutex limiter_mutex;
  static LogRateLimiter limiter;
  LogRateLimiter::Decision d;
  {
    std::lock_guard lock(limiter_mutex);
    d = limiter.admit(key, monotonic_now());
  }
  if (!d.log) return;
  if (d.suppressed_before)
    log_line(level, text + " (" + std::to_string(d.suppressed_before) + " more like this suppressed)");
  else
    log_line(level, text);
}

}  // namespace halink::runtime
