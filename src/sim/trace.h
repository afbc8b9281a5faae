// The simulator's trace: one text line per event, the artefact that proves
// determinism (same seed and input → byte-identical trace) and that a
// timeline is read from.
//
// Line format: "t=1.234567s SUBJECT EVENT" — time in seconds with microsecond
// digits (truncated, never rounded, so the text is a pure function of the ns
// value), the subject (node, link, underlay or flow name) and free text.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace halink::sim {

class Trace {
public:
  // "t=1.234567s"
  static std::string format_time(Time t);

  void record(Time t, std::string_view subject, std::string_view event);

  // Recording can be switched off for fast runs (halink check); the echo
  // sink, when set, sees every line as it is recorded (live timelines).
  void set_enabled(bool enabled) { enabled_ = enabled; }
  bool enabled() const { return enabled_; }
  void set_echo(std::function<void(const std::string&)> echo) { echo_ = std::move(echo); }
  bool has_echo() const { return static_cast<bool>(echo_); }

  const std::vector<std::string>& lines() const { return lines_; }
  std::string text() const;  // every line followed by '\n'
  void clear() { lines_.clear(); }

private:
  bool enabled_ = true;
  std::vector<std::string> lines_;
  std::function<void(const std::string&)> echo_;
};

}  // namespace halink::sim
