// halinkd's log: one line per event on stderr (journald or the lab collect
// it), wall-clock time in UTC with milliseconds, the node name, a level.
// Plain text, never colour. Under systemd (JOURNAL_STREAM set) each line
// starts with its syslog priority ("<4>") so journalctl shows the level,
// and the time stamp is left to the journal.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/time.h"

namespace halink::runtime {

enum class LogLevel { debug, info, warning, error };

// "error", "warn"/"warning", "info", "debug".
std::optional<LogLevel> parse_log_level(const std::string& text);

void set_log_identity(const std::string& node_name);
void set_log_level(LogLevel minimum);
void log_line(LogLevel level, const std::string& text);
inline void log_info(const std::string& text) { log_line(LogLevel::info, text); }
inline void log_warning(const std::string& text) { log_line(LogLevel::warning, text); }
inline void log_error(const std::string& text) { log_line(LogLevel::error, text); }
inline void log_debug(const std::string& text) { log_line(LogLevel::debug, text); }

// Keeps a repeated message (a peer sending the same malformed UPDATE a
// thousand times a second) from flooding the log: at most `burst` lines per
// key per `window`; the first line after a window with suppressed repeats
// says how many were left out. Time is an argument (tested without sleeps).
class LogRateLimiter {
public:
  explicit LogRateLimiter(size_t burst = 10, Duration window = Duration::seconds(60))
      : burst_(burst), window_(window) {}

  struct Decision {
    bool log = false;
    size_t suppressed_before = 0;  // repeats left out in the window that ended
  };
  Decision admit(const std::string& key, Time now);

private:
  struct Entry {
    Time window_start;
    size_t logged = 0;
    size_t suppressed = 0;
  };
  size_t burst_;
  Duration window_;
  std::map<std::string, Entry> entries_;
};

// log_line() through one process-wide limiter keyed by `key` (e.g. the
// neighbour and the complaint), using the monotonic clock.
void log_limited(LogLevel level, const std::string& key, const std::string& text);

}  // namespace halink::runtime
