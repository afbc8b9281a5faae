#include "core/time.h"

#include <cstdio>

namespace halink {

std::string Duration::to_string() const {
  if (*this == infinite()) return "never";
  char buf[48];
  int64_t abs_ns = ns_ < 0 ? -ns_ : ns_;
  const char* sign = ns_ < 0 ? "-" : "";
  if (abs_ns == 0) return "0s";
  if (abs_ns % 1'000'000'000 == 0) {
    std::snprintf(buf, sizeof buf, "%s%llds", sign, static_cast<long long>(abs_ns / 1'000'000'000));
  } else if (abs_ns >= 1'000'000'000) {
    std::snprintf(buf, sizeof buf, "%s%.3fs", sign, static_cast<double>(abs_ns) / 1e9);
  } else if (abs_ns % 1'000'000 == 0) {
    std::snprintf(buf, sizeof buf, "%s%lldms", sign, static_cast<long long>(abs_ns / 1'000'000));
  } else if (abs_ns >= 1'000'000) {
    std::snprintf(buf, sizeof buf, "%s%.3fms", sign, static_cast<double>(abs_ns) / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%s%lldus", sign, static_cast<long long>(abs_ns / 1'000));
  }
  return buf;
}

}  // namespace halink
