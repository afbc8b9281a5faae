#include "sim/trace.h"

#include <cstdio>

namespace halink::sim {

std::string Trace::format_time(Time t) {
  const int64_t ns = t.ns();
  const int64_t magnitude = ns < 0 ? -ns : ns;
  char buf[48];
  std::snprintf(buf, sizeof buf, "t=%s%lld.%06llds", ns < 0 ? "-" : "", static_cast<long long>(magnitude / 1'000'000'000),
                static_cast<long long>(magnitude % 1'000'000'000 / 1'000));
  return buf;
}

void Trace::record(Time t, std::string_view subject, std::string_view event) {
  if (!enabled_ && !echo_) return;
  std::string line = format_time(t);
  line += ' ';
  line += subject;
  line += ' ';
  line += event;
  if (echo_) echo_(line);
  if (enabled_) lines_.push_back(std::move(line));
}

std::string Trace::text() const {
  std::string out;
  for (const auto& line : lines_) {
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace halink::sim
