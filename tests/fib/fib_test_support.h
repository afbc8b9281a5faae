// Short constructors for FIB tests.
#pragma once

#include <string>
#include <vector>

#include "fib/route.h"

namespace halink::fib::test {

inline IpAddress ip(const std::string& text) { return IpAddress::parse(text).value(); }
inline Prefix prefix(const std::string& text) { return Prefix::parse(text).value(); }
inline NextHop via(const std::string& gateway, const std::string& interface, uint16_t weight = 1) {
  return NextHop{ip(gateway), interface, 0, weight};
}
inline RouteChange change(const std::string& destination, std::vector<NextHop> next_hops) {
  return RouteChange{prefix(destination), std::move(next_hops)};
}
inline RouteChange withdraw(const std::string& destination) { return RouteChange{prefix(destination), {}}; }

// <first_octet>.x.y.0/24 for i in [0, count < 65536), all over `next_hops`.
inline std::vector<RouteChange> many_routes(int count, const std::vector<NextHop>& next_hops, int first_octet = 10) {
  std::vector<RouteChange> changes;
  changes.reserve(size_t(count));
  for (int i = 0; i < count; ++i)
    changes.push_back({Prefix::make_masked(IpAddress::v4(uint32_t(first_octet) << 24 | uint32_t(i) << 8), 24),
                       next_hops});
  return changes;
}

}  // namespace halink::fib::test
