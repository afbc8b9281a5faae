// Applying a neighbour's policy (policy.h) to one route.
//
// Attributes are copied only when an action changes them: an accept-all or
// filter-only policy leaves the caller's (usually already interned)
// attributes untouched, so routes keep sharing one attribute set.
#pragma once

#include <cstdint>
#include <optional>

#include "bgp/policy/policy.h"
#include "bgp/wire/attributes.h"

namespace halink::bgp {

struct PolicyContext {
  uint32_t local_as = 0;  // for "prepend own AS"
  bool ebgp = true;       // the neighbour is external (RFC 8212 applies)
};

enum class PolicyReason : uint8_t {
  term_accept,        // a term's verdict was accept
  term_reject,        // a term's verdict was reject
  default_accept,     // no term decided; the policy's default accepts
  default_reject,     // no term decided; the policy's default rejects
  no_policy,          // no explicit policy and iBGP: passes unchanged
  rfc8212_no_policy,  // no explicit policy and eBGP: RFC 8212 §2 rejects
};
const char* policy_reason_name(PolicyReason reason);

struct PolicyResult {
  bool accepted = false;
  PolicyReason reason = PolicyReason::default_reject;
  // Set when an action changed the attributes; otherwise the input applies.
  std::optional<PathAttributes> modified;

  const PathAttributes& attributes(const PathAttributes& input) const { return modified ? *modified : input; }
};

bool policy_matches(const PolicyMatch& match, const Prefix& prefix, const PathAttributes& attributes);

// The terms of `policy` in order, then its default.
PolicyResult evaluate_policy(const Policy& policy, const Prefix& prefix, const PathAttributes& attributes,
                             const PolicyContext& context);

// RFC 8212 §2: with no explicit policy an eBGP neighbour's routes are neither
// accepted nor announced. The speaker checks these once per neighbour to log
// it clearly, instead of once per route.
bool rfc8212_blocks_import(const NeighborPolicy& neighbor, bool ebgp);
bool rfc8212_blocks_export(const NeighborPolicy& neighbor, bool ebgp);

// Import: RFC 8212 default, then the import policy, then RFC 8326
// GRACEFUL_SHUTDOWN (LOCAL_PREF 0, after the policy so no term undoes it).
// A LOCAL_PREF received over eBGP is removed first (RFC 4271 §5.1.5).
PolicyResult import_route(const NeighborPolicy& neighbor, const PolicyContext& context, const Prefix& prefix,
                          const PathAttributes& attributes);

// Whether import_route() can decide differently for two prefixes that come
// with the same attributes: only when a term of the import policy matches on
// the prefix or its family. When it cannot, the caller evaluates the policy
// once per UPDATE (one attribute set, many NLRI) and applies that result to
// every prefix of it instead of running the terms for each.
bool import_depends_on_prefix(const NeighborPolicy& neighbor);

// Export: RFC 8212 default, then the export policy. Runs before the
// speaker's own eBGP changes (own AS prepended, NEXT_HOP set).
PolicyResult export_route(const NeighborPolicy& neighbor, const PolicyContext& context, const Prefix& prefix,
                          const PathAttributes& attributes);

}  // namespace halink::bgp
