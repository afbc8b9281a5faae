// halinkd's log: one line per event on stderr (journald or the lab collect
// it), wall-clock time in UTC with milliseconds, the node name, a level.
#pragma once

#include <string>

namespace halink::runtime {

enum class LogLevel { debug, info, warning, error };

void set_log_identity(const std::string& node_name);
void set_log_level(LogLevel minimum);
void log_line(LogLevel level, const std::string& text);
inline void log_info(const std::string& text) { log_line(LogLevel::info, text); }
inline void log_warning(const std::string& text) { log_line(LogLevel::warning, text); }
inline void log_error(const std::string& text) { log_line(LogLevel::error, text); }
inline void log_debug(const std::string& text) { log_line(LogLevel::debug, text); }

}  // namespace halink::runtime
