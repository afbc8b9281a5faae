#include "fib/route.h"

namespace halink::fib {

std::string NextHop::to_string() const {
  std::string text = gateway.is_unspecified() ? std::string("direct") : gateway.to_string();
  if (!interface.empty()) text += " dev " + interface;
  else if (ifindex != 0) text += " ifindex " + std::to_string(ifindex);
  if (weight > 1) text += " weight " + std::to_string(weight);
  return text;
}

}  // namespace halink::fib
