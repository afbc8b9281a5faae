// Routing policy as data: what the configuration says about one neighbour's
// routes, in the order it is evaluated. The YAML parser (src/config) fills
// these structs; policy_evaluator.h applies them.
//
// Model (deliberately the familiar one of BIRD/FRR/Junos "terms"):
//   - a Policy is an ordered list of terms plus a default verdict;
//   - the first term whose Match matches the route applies its Actions; the
//     actions' verdict says whether evaluation stops (accept / reject) or
//     continues with the next term (next_term), keeping the modifications;
//   - when no term ends the evaluation, default_verdict decides.
// Inside one Match every condition that is set must hold (AND); inside one
// list (prefixes, ASNs, communities) any one element suffices (OR). An empty
// Match matches every route.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgp/wire/attributes.h"
#include "core/ip.h"
#include "core/time.h"

namespace halink::bgp {

// One line of a prefix list: `prefix` plus an optional length range.
//   10.0.0.0/8            matches exactly 10.0.0.0/8
//   10.0.0.0/8 le 24      matches 10.0.0.0/8 .. /24 inside 10/8
//   10.0.0.0/8 ge 16      matches /16 .. /32 inside 10/8
//   10.0.0.0/8 ge 16 le 24
// (the Cisco/FRR convention: ge alone implies le = address bits, le alone
// implies ge = the prefix's own length).
struct PrefixListEntry {
  Prefix prefix;
  std::optional<uint8_t> ge;
  std::optional<uint8_t> le;

  bool matches(const Prefix& route) const;
  bool operator==(const PrefixListEntry&) const = default;
};

struct PolicyMatch {
  std::optional<Family> family;
  std::vector<PrefixListEntry> prefixes;  // any entry matches
  // AS_PATH length as the decision process counts it (AS_SET = 1).
  std::optional<uint32_t> as_path_length_min;
  std::optional<uint32_t> as_path_length_max;
  std::vector<uint32_t> as_path_contains;  // any of these ASNs anywhere in the path
  std::vector<uint32_t> neighbor_as;       // first AS of the path is one of these
  std::vector<uint32_t> origin_as;         // last AS of the path is one of these
  std::vector<uint32_t> communities;       // route carries any of these (RFC 1997)
  std::vector<LargeCommunity> large_communities;  // route carries any of these (RFC 8092)

  bool operator==(const PolicyMatch&) const = default;
};

enum class PolicyVerdict : uint8_t {
  accept,     // stop: the route is accepted with the modifications so far
  reject,     // stop: the route is filtered
  next_term,  // keep the modifications and evaluate the following terms
};
const char* policy_verdict_name(PolicyVerdict v);  // "accept", "reject", "next-term"

struct PolicyActions {
  std::optional<uint32_t> set_local_pref;  // import: prefer one ISP's sessions
  // Export: prepend the speaker's own AS this many times (the article's
  // "AS PATH PREPEND" that makes a tunnel the backup for the remote side).
  uint8_t prepend_own_as = 0;
  // Prepend a given ASN (e.g. a private AS of the site) this many times.
  std::optional<uint32_t> prepend_asn;
  uint8_t prepend_asn_count = 1;
  std::optional<uint32_t> set_med;
  bool strip_med = false;  // applied before set_med
  std::vector<uint32_t> add_communities;
  std::vector<uint32_t> remove_communities;
  std::vector<LargeCommunity> add_large_communities;
  std::vector<LargeCommunity> remove_large_communities;
  PolicyVerdict verdict = PolicyVerdict::accept;

  bool operator==(const PolicyActions&) const = default;
};

struct PolicyTerm {
  std::string name;  // for logs and `show`; may be empty
  PolicyMatch match;
  PolicyActions actions;
  bool operator==(const PolicyTerm&) const = default;
};

struct Policy {
  std::string name;
  std::vector<PolicyTerm> terms;
  // Only accept or reject are meaningful here (next_term is treated as reject).
  PolicyVerdict default_verdict = PolicyVerdict::reject;
  bool operator==(const Policy&) const = default;
};

// Per neighbour and family prefix limit. Counts accepted (post-policy)
// prefixes, as operators expect from FRR/BIRD "maximum-prefix".
struct MaxPrefix {
  uint32_t limit = 0;
  bool warning_only = false;  // log and keep the session up
  // After a tear-down, allow the session to come back after this long;
  // Duration::zero() keeps it down until an operator resets it.
  Duration restart_after = Duration::zero();
  // Warn once when the count reaches this share of `limit` (percent, 1..100).
  uint8_t warning_threshold_percent = 75;
  bool operator==(const MaxPrefix&) const = default;
};

// Everything policy-related about one neighbour. An absent policy (nullopt)
// is "no explicit policy": for an eBGP neighbour RFC 8212 then accepts or
// announces nothing; for iBGP everything passes unchanged.
struct NeighborPolicy {
  std::optional<Policy> import_policy;
  std::optional<Policy> export_policy;
  std::optional<MaxPrefix> max_prefix_ipv4;
  std::optional<MaxPrefix> max_prefix_ipv6;
  // RFC 8326 §4: a route carrying GRACEFUL_SHUTDOWN gets LOCAL_PREF 0 on
  // import so traffic moves away before the session is shut down.
  bool honor_graceful_shutdown = true;

  const std::optional<MaxPrefix>& max_prefix(Family f) const {
    return f == Family::ipv4 ? max_prefix_ipv4 : max_prefix_ipv6;
  }
  bool operator==(const NeighborPolicy&) const = default;
};

}  // namespace halink::bgp
