#include "bgp/policy/policy.h"

namespace halink::bgp {

bool PrefixListEntry::matches(const Prefix& route) const {
  if (route.family() != prefix.family() || !prefix.contains(route)) return false;
  const int max_bits = address_bits(prefix.family());
  int low = prefix.length();
  int high = prefix.length();
  if (ge) {
    low = *ge;
    high = max_bits;
  }
  if (le) high = *le;
  if (!ge && le) low = prefix.length();
  return route.length() >= low && route.length() <= high;
}

const char* policy_verdict_name(PolicyVerdict v) {
  switch (v) {
    case PolicyVerdict::accept: return "accept";
    case PolicyVerdict::reject: return "reject";
    case PolicyVerdict::next_term: return "next-term";
  }
  return "?";
}

}  // namespace halink::bgp
